import ClusterModel
import TerminalCore

/// Shown for a route no registered screen serves (e.g. a build without the Connect or
/// tail views): says so instead of failing.
public struct UnavailableScreen: Screen {
    public let route: Route
    public init(route: Route) { self.route = route }

    public mutating func load(context: ScreenContext) -> [Effect] { [] }
    public mutating func leave() -> [Effect] { [] }
    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] { [] }
    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] { [] }
    public var status: ViewStatus { ViewStatus() }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        renderMessage("The \(route.title) view is not available in this build. Press Esc to go back.",
                      role: .dim, into: &buffer, area: area)
    }
}
