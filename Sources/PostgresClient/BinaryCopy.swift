/// Rows in COPY's binary format (`COPY … FROM STDIN (FORMAT binary)`), built in a byte buffer that the caller sends
/// with `CopyInWriter.write` whenever it has grown large enough.
///
/// The server reads binary values without parsing text: for a row of arrays (the sheets of `dti load`) that is most of
/// its work. Every value is written in the type's binary form, in network byte order; see the PostgreSQL manual,
/// "COPY: Binary Format", and the `*_recv` functions of each type.
public struct BinaryCopyEncoder {
    /// The encoded rows; `drain` hands them on.
    public var bytes: [UInt8] = []

    /// Element type OIDs for arrays.
    public enum ElementType: Int32 {
        case int4 = 23
        case text = 25
        case numeric = 1700
    }

    public init(capacity: Int = 1 << 20) {
        bytes.reserveCapacity(capacity)
        // Signature, flags (no OIDs), header extension length.
        bytes.append(contentsOf: Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
        int32(0)
        int32(0)
    }

    /// The bytes so far, handed to `body`, then dropped (the buffer keeps its storage).
    public mutating func drain(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        if bytes.isEmpty { return }
        try bytes.withUnsafeBytes { try body($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    /// The end of the data: append once, after the last row.
    public mutating func finish() { int16(-1) }

    /// A row of `fields` fields follows.
    @inlinable public mutating func beginRow(fields: Int) { int16(Int16(fields)) }

    @inlinable public mutating func null() { int32(-1) }

    @inlinable public mutating func bigint(_ v: Int64) { int32(8); int64(v) }
    @inlinable public mutating func integer(_ v: Int32) { int32(4); int32(v) }
    @inlinable public mutating func smallint(_ v: Int16) { int32(2); int16(v) }

    /// text, varchar or an enum label: the UTF-8 bytes.
    @inlinable public mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { p in int32(Int32(p.count)); bytes.append(contentsOf: p) }
    }

    /// A numeric from its exact machine text (`-12.50`: optional minus, digits, optional dot and digits). The scale is
    /// kept as written, as `'12.50'::numeric` keeps it. Returns false, writing nothing, for any other text.
    @discardableResult @inlinable
    public mutating func numeric(machineText: String) -> Bool {
        let start = bytes.count
        int32(0)
        guard NumericBinary.append(machineText, to: &bytes) else { bytes.removeSubrange(start...); return false }
        patchLength(at: start)
        return true
    }

    // MARK: one-dimensional arrays

    /// Starts an array value of `count` elements; write each element with the element methods below, then call
    /// `endArray(at:)` with what this returned.
    @inlinable public mutating func beginArray(of type: ElementType, count: Int, hasNulls: Bool) -> Int {
        let start = bytes.count
        int32(0)                       // the value's length, patched by endArray
        int32(1)                       // dimensions
        int32(hasNulls ? 1 : 0)
        int32(type.rawValue)
        int32(Int32(count))
        int32(1)                       // lower bound
        return start
    }

    @inlinable public mutating func endArray(at start: Int) { patchLength(at: start) }

    // MARK: big-endian integers

    @inlinable public mutating func int16(_ v: Int16) {
        let u = UInt16(bitPattern: v)
        bytes.append(UInt8(u >> 8)); bytes.append(UInt8(u & 0xFF))
    }

    @inlinable public mutating func int32(_ v: Int32) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable public mutating func int64(_ v: Int64) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Writes the length of the value that starts after the 4-byte length at `start`.
    @usableFromInline mutating func patchLength(at start: Int) {
        let length = UInt32(bytes.count - start - 4)
        bytes[start] = UInt8(length >> 24); bytes[start + 1] = UInt8((length >> 16) & 0xFF)
        bytes[start + 2] = UInt8((length >> 8) & 0xFF); bytes[start + 3] = UInt8(length & 0xFF)
    }
}

/// PostgreSQL's binary numeric: int16 number of base-10000 digits, int16 weight (of the first digit), uint16 sign,
/// int16 display scale, then the digits, most significant first.
public enum NumericBinary {
    /// Appends the binary form of a machine-form decimal text; false (nothing appended) when it is not one.
    @inlinable
    public static func append(_ text: String, to out: inout [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { p -> Bool in
            var k = 0
            var negative = false
            if k < p.count && p[k] == UInt8(ascii: "-") { negative = true; k += 1 }
            var intStart = k
            while k < p.count && p[k] >= 48 && p[k] <= 57 { k += 1 }
            let intEnd = k
            var fracStart = k, fracEnd = k
            if k < p.count && p[k] == UInt8(ascii: ".") {
                k += 1
                fracStart = k
                while k < p.count && p[k] >= 48 && p[k] <= 57 { k += 1 }
                fracEnd = k
                if fracEnd == fracStart { return false }
            }
            if k != p.count || (intEnd == intStart && fracEnd == fracStart) { return false }
            let dscale = fracEnd - fracStart
            if dscale > 0x3FFF { return false }
            while intStart < intEnd && p[intStart] == 48 { intStart += 1 }
            // Base-10000 groups aligned on the decimal point: the integer part padded on the left, the fraction on the right.
            let intDigits = intEnd - intStart
            let intGroups = (intDigits + 3) / 4
            let fracGroups = (dscale + 3) / 4
            return withUnsafeTemporaryAllocation(of: Int16.self, capacity: intGroups + fracGroups) { groups -> Bool in
                groups.initialize(repeating: 0)
                for d in 0..<intDigits {
                    let position = intDigits - 1 - d                       // 0 = units
                    let g = intGroups - 1 - position / 4
                    groups[g] = groups[g] + Int16(p[intStart + d] - 48) * power(position % 4)
                }
                for d in 0..<dscale {
                    let g = intGroups + d / 4
                    groups[g] = groups[g] + Int16(p[fracStart + d] - 48) * power(3 - d % 4)
                }
                var first = 0, last = groups.count
                while first < last && groups[first] == 0 { first += 1 }
                while last > first && groups[last - 1] == 0 { last -= 1 }
                let isZero = first == last
                let weight = isZero ? 0 : intGroups - 1 - first
                func be16(_ v: Int16) { let u = UInt16(bitPattern: v); out.append(UInt8(u >> 8)); out.append(UInt8(u & 0xFF)) }
                be16(Int16(isZero ? 0 : last - first))
                be16(Int16(weight))
                be16(negative && !isZero ? Int16(bitPattern: 0x4000) : 0)
                be16(Int16(dscale))
                if !isZero { for g in first..<last { be16(groups[g]) } }
                return true
            }
        }
    }

    @usableFromInline static func power(_ e: Int) -> Int16 {
        switch e { case 0: 1; case 1: 10; case 2: 100; default: 1000 }
    }
}
