import KafkaRecords

/// The producer's per-partition state, found by topic and partition. A dictionary of indexes into an
/// array, remembering the last partition asked for: consecutive records usually go to the same
/// partition (sticky null keys, an explicit partition), and hashing the topic name for every record
/// was a tenth of the producer's time.
struct PartitionTable<State> {
    private var index: [TopicPartition: Int] = [:]
    private(set) var keys: [TopicPartition] = []
    /// Optional because callers see `State?` (a partition never used has none).
    private var states: [State?] = []
    private var last: (tp: TopicPartition, slot: Int)?

    private func slot(of tp: TopicPartition) -> Int? {
        if let last, last.tp.partition == tp.partition, last.tp.topic == tp.topic { return last.slot }
        return index[tp]
    }

    subscript(tp: TopicPartition) -> State? {
        get { slot(of: tp).flatMap { states[$0] } }
        _modify {
            guard let slot = slot(of: tp) else {
                var none: State?
                yield &none
                if let created = none { insert(created, for: tp) }
                return
            }
            last = (tp, slot)
            yield &states[slot]
        }
    }

    /// The state of `tp`, created with `make` if it has none, mutated in place.
    mutating func update<R>(_ tp: TopicPartition, creating make: () -> State,
                            _ body: (inout State) throws(RecordEncodeError) -> R) throws(RecordEncodeError) -> R {
        let found = slot(of: tp) ?? insert(make(), for: tp)
        last = (tp, found)
        return try body(&states[found]!)
    }

    @discardableResult
    private mutating func insert(_ state: State, for tp: TopicPartition) -> Int {
        states.append(state)
        keys.append(tp)
        index[tp] = states.count - 1
        return states.count - 1
    }

    /// Every partition with its state, in the order they were first used.
    var all: [(tp: TopicPartition, state: State)] { zip(keys, states).compactMap { k, s in s.map { (k, $0) } } }
}
