/// A semantic role for a cell (k9s skins): views say what a thing is, the theme says
/// how it looks. Colours never appear in view code.
public struct Role: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let normal: Role = "normal"
    public static let dim: Role = "dim"
    public static let border: Role = "border"
    public static let title: Role = "title"
    public static let headerLabel: Role = "header.label"
    public static let headerValue: Role = "header.value"
    public static let tableHeader: Role = "table.header"
    public static let tableRow: Role = "table.row"
    public static let tableSelected: Role = "table.selected"
    public static let tableMarked: Role = "table.marked"
    public static let statusOk: Role = "status.ok"
    public static let statusWarn: Role = "status.warn"
    public static let statusError: Role = "status.error"
    public static let statusInfo: Role = "status.info"
    public static let hintKey: Role = "hint.key"
    public static let hintText: Role = "hint.text"
    public static let prompt: Role = "prompt"
    public static let dialog: Role = "dialog"
    public static let dialogTitle: Role = "dialog.title"
    public static let crumb: Role = "crumb"
    public static let crumbActive: Role = "crumb.active"
    public static let sparkline: Role = "sparkline"
    public static let jsonKey: Role = "json.key"
    public static let jsonString: Role = "json.string"
    public static let jsonNumber: Role = "json.number"
}

public struct Attributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1 << 0)
    public static let dim = Attributes(rawValue: 1 << 1)
    public static let reverse = Attributes(rawValue: 1 << 2)
    public static let underline = Attributes(rawValue: 1 << 3)
    public static let italic = Attributes(rawValue: 1 << 4)
}

public struct Style: Hashable, Sendable {
    public var role: Role
    public var attributes: Attributes
    public init(_ role: Role = .normal, _ attributes: Attributes = []) {
        self.role = role
        self.attributes = attributes
    }
    public static let normal = Style()
}
