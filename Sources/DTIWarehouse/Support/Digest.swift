import Crypto
import Foundation

/// Incremental SHA-256 over file chunks (batches and catalogues are identified by the sha256 of their bytes).
struct SHA256Hasher {
    private var hasher = SHA256()
    mutating func update(_ data: Data) { hasher.update(data: data) }
    func hex() -> String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
