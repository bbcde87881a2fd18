import Foundation

/// Test hooks that kill the process at a named point, the way a power cut or `kill -9` would:
/// `DTI_FAILPOINT=load.before-commit dti load …`. Nothing happens unless the variable names the point.
public enum Failpoint {
    public static func hit(_ name: String) {
        guard ProcessInfo.processInfo.environment["DTI_FAILPOINT"] == name else { return }
        FileHandle.standardError.write(Data("dti: failpoint \(name): killing the process\n".utf8))
        kill(getpid(), SIGKILL)
    }

    /// Notes that the process reached a named point, for tests that kill it from outside and must know where the kill
    /// landed: with `DTI_FAILPOINT_LOG=FILE` each point appends its name and a newline to FILE. Nothing otherwise.
    public static func trace(_ name: String) {
        guard let path = ProcessInfo.processInfo.environment["DTI_FAILPOINT_LOG"], !path.isEmpty else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else { return }
        let line = Array("\(name)\n".utf8)
        _ = line.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// Holds the process at a named point until a file appears, so a test can make two runs overlap for certain:
    /// `DTI_FAILPOINT_PAUSE=load.before-commit DTI_FAILPOINT_RELEASE=FILE`. It traces `NAME.paused` first (see
    /// `trace`), then waits for FILE (two minutes at most). Nothing happens unless the variable names the point.
    public static func pause(_ name: String) {
        let env = ProcessInfo.processInfo.environment
        guard env["DTI_FAILPOINT_PAUSE"] == name, let release = env["DTI_FAILPOINT_RELEASE"], !release.isEmpty else { return }
        trace(name + ".paused")
        for _ in 0..<2400 where !FileManager.default.fileExists(atPath: release) { usleep(50_000) }
    }

    /// Whether `DTI_FAILPOINT_TERMINATE` names this point: the caller then has the server end its own backend
    /// (`pg_terminate_backend`), so the next statement meets a real lost connection, as when the server is killed.
    public static func terminates(_ name: String) -> Bool {
        ProcessInfo.processInfo.environment["DTI_FAILPOINT_TERMINATE"] == name
    }
}
