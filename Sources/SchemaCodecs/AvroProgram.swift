/// An Avro schema graph flattened for decoding: nodes in one buffer referring to each other by
/// index, field keys and enum symbols pre-encoded as JSON in one byte pool. Walking the class graph
/// cost a retain/release pair per field and per node visited (most of the decoder's time); these
/// buffers hold no references, so decoding a record does no reference counting at all.
final class AvroProgram: @unchecked Sendable {
    enum Op: UInt8 {
        case null, boolean, int, long, float, double, bytes, string, fixed, enumeration, union, record, array, map
    }

    struct Node {
        var op: Op
        var logical: AvroLogical
        /// fixed: its size; enumeration: symbols; union: branches; record: fields.
        var count: Int
        /// union, record: the first of `count` entries in `links`; enumeration: the first of `count`
        /// texts; array, map: the items' node.
        var first: Int
    }

    /// Read-only views of the buffers, passed down the decoder's recursion by value.
    struct Tables {
        let nodes: UnsafeBufferPointer<Node>
        /// Child node per union branch or record field.
        let links: UnsafeBufferPointer<Int>
        /// Per record field (parallel to `links`): the text index of its `"name":` key.
        let linkTexts: UnsafeBufferPointer<Int>
        /// Text i is pool[textStarts[i] ..< textStarts[i + 1]].
        let textStarts: UnsafeBufferPointer<Int>
        let pool: UnsafeBufferPointer<UInt8>

        @inline(__always) func text(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: pool[textStarts[i]..<textStarts[i + 1]])
        }
    }

    let tables: Tables
    let root: Int
    /// Full names of named types, per node (for error messages only).
    let names: [String?]

    init(_ rootNode: AvroNode) {
        var b = Builder()
        root = b.add(rootNode)
        b.textStarts.append(b.pool.count)
        names = b.names
        tables = Tables(nodes: Self.copy(b.nodes), links: Self.copy(b.links), linkTexts: Self.copy(b.linkTexts),
                        textStarts: Self.copy(b.textStarts), pool: Self.copy(b.pool))
    }

    deinit {
        tables.nodes.deallocate()
        tables.links.deallocate()
        tables.linkTexts.deallocate()
        tables.textStarts.deallocate()
        tables.pool.deallocate()
    }

    /// Trivial element types only (the buffers are freed without deinitializing).
    static func copy<T>(_ a: [T]) -> UnsafeBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(a.count, 1))
        _ = buffer.initialize(from: a)
        return UnsafeBufferPointer(rebasing: buffer[0..<a.count])
    }

    struct Builder {
        var nodes: [Node] = []
        var names: [String?] = []
        var links: [Int] = []
        var linkTexts: [Int] = []
        var textStarts: [Int] = []
        var pool: [UInt8] = []
        /// Named types may refer to themselves: each graph node becomes one program node.
        var ids: [ObjectIdentifier: Int] = [:]

        mutating func text(_ bytes: [UInt8]) -> Int {
            textStarts.append(pool.count)
            pool += bytes
            return textStarts.count - 1
        }

        /// `count` consecutive link slots, filled after their nodes are added (which may add links).
        mutating func reserveLinks(_ count: Int) -> Int {
            let start = links.count
            links += repeatElement(0, count: count)
            linkTexts += repeatElement(0, count: count)
            return start
        }

        mutating func add(_ n: AvroNode) -> Int {
            if let id = ids[ObjectIdentifier(n)] { return id }
            let id = nodes.count
            ids[ObjectIdentifier(n)] = id
            nodes.append(Node(op: .null, logical: n.logical, count: 0, first: 0))
            names.append(n.name)
            var node = Node(op: .null, logical: n.logical, count: 0, first: 0)
            switch n.kind {
            case .null: node.op = .null
            case .boolean: node.op = .boolean
            case .int: node.op = .int
            case .long: node.op = .long
            case .float: node.op = .float
            case .double: node.op = .double
            case .bytes: node.op = .bytes
            case .string: node.op = .string
            case .fixed(let size):
                node.op = .fixed
                node.count = size
            case .enumeration(let symbols):
                node.op = .enumeration
                node.count = symbols.count
                node.first = textStarts.count
                for symbol in symbols {
                    var w = JSONWriter(capacity: symbol.utf8.count + 2)
                    w.string(symbol)
                    _ = text(w.bytes)
                }
            case .union(let branches):
                node.op = .union
                node.count = branches.count
                node.first = reserveLinks(branches.count)
                for (i, b) in branches.enumerated() { links[node.first + i] = add(b) }
            case .record(let fields):
                node.op = .record
                node.count = fields.count
                node.first = reserveLinks(fields.count)
                for (i, f) in fields.enumerated() {
                    linkTexts[node.first + i] = text(f.jsonKey)
                    links[node.first + i] = add(f.type)
                }
            case .array(let items):
                node.op = .array
                node.first = add(items)
            case .map(let values):
                node.op = .map
                node.first = add(values)
            }
            nodes[id] = node
            return id
        }
    }
}
