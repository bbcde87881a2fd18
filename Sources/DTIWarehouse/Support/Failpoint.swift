import Foundation

/// Test hooks that kill the process at a named point, the way a power cut or `kill -9` would:
/// `DTI_FAILPOINT=load.before-commit dti load …`. Nothing happens unless the variable names the point.
public enum Failpoint {
    public static func hit(_ name: String) {
        guard ProcessInfo.processInfo.environment["DTI_FAILPOINT"] == name else { return }
        FileHandle.standardError.write(Data("dti: failpoint \(name): killing the process\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
