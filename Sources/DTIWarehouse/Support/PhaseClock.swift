import Foundation

/// `DTI_LOAD_TIMING=1 dti load FILE` prints how long each phase of the load took, on stderr: where a slow load spends
/// its time (make bench reports only the whole). Nothing happens unless the variable is set.
struct PhaseClock {
    private let enabled = ProcessInfo.processInfo.environment["DTI_LOAD_TIMING"] != nil
    private var last = ContinuousClock.now

    mutating func lap(_ phase: String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let ms = (now - last).components
        let total = Double(ms.seconds) * 1000 + Double(ms.attoseconds) / 1e15
        FileHandle.standardError.write(Data("dti load: \(phase): \(String(format: "%.0f", total)) ms\n".utf8))
        last = now
    }
}
