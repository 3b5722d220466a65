import ClusterModel

/// A list drawn from the cluster overview the header already loads (Brokers, Quorum): it shares
/// that load (leaving does not cancel it), shows the cached overview at once, and has no detail
/// screen to open.
public protocol OverviewListSpec: ListScreenSpec where Value == ClusterOverview {}

extension OverviewListSpec {
    /// No detail screen: Enter would do nothing.
    public var unusedGlobalActions: Set<Action> { [.navigation(.open)] }
    public func loads(context: ScreenContext) -> [Effect] { [.load(.overview)] }
    /// The header's overview, shown at once (on a slow cluster: seconds of "Loading" otherwise).
    public func cached(context: ScreenContext) -> (ClusterOverview, Double)? { context.cachedOverview }
    public func value(in result: LoadResult) -> Result<ClusterOverview, LoadError>? {
        if case .overview(let r) = result { return r }
        return nil
    }
    public func warnings(_ o: ClusterOverview) -> [SourceError] { o.errors }
    public func open(_ r: Row) -> Route? { nil }
}
