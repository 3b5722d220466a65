import TerminalCore

/// The confirmation dialog of a write as drawn, and whether it can be answered at a size: update
/// asks the same layout render draws with, so a yes never counts for a target that was cut off.
enum ConfirmDialog {
    static func dialog(_ intent: WriteIntent, _ state: DialogState) -> Dialog {
        let a = intent.action
        if let name = intent.typeName {
            return Dialog(title: "Confirm", message: "Really \(a)? Type its name and Enter to confirm; Esc cancels.",
                          target: intent.target, buttons: ["Enter", "Esc"], selected: 0, details: intent.details,
                          input: "Type \(name) to confirm: \(state.text)")
        }
        return Dialog(title: "Confirm", message: "Really \(a)? y confirms, n or Esc cancels.", target: intent.target,
                      buttons: ["Yes", "No"], selected: state.selected, details: intent.details)
    }

    /// The dialog shows what it asks and every line of its target at `size` (it is drawn over the
    /// whole terminal). Otherwise render says to enlarge the terminal and update takes no yes.
    static func isAnswerable(_ intent: WriteIntent, _ state: DialogState, size: Size) -> Bool {
        !Layout.isTooSmall(size)
            && dialog(intent, state).showsTargetInFull(in: Rect(x: 0, y: 0, width: size.width, height: size.height))
    }
}
