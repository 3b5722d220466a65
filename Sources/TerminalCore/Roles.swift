extension Role {
    /// The rest of a completion shown after the typed text.
    public static let promptSuggestion: Role = "prompt.suggestion"
    public static let dialogButton: Role = "dialog.button"
    public static let dialogButtonSelected: Role = "dialog.button.selected"
    /// Scroll position indicators.
    public static let scrollbar: Role = "scrollbar"

    /// Every role the widgets and views use; each theme maps all of them.
    public static let allKnown: [Role] = [
        .normal, .dim, .border, .title, .headerLabel, .headerValue,
        .tableHeader, .tableRow, .tableSelected, .tableMarked,
        .statusOk, .statusWarn, .statusError, .statusInfo,
        .hintKey, .hintText, .prompt, .promptSuggestion,
        .dialog, .dialogTitle, .dialogButton, .dialogButtonSelected,
        .crumb, .crumbActive, .sparkline, .scrollbar,
        .jsonKey, .jsonString, .jsonNumber,
    ]
}
