/// The version `seek --version` prints.
enum SeekVersion {
    static let string = "0.1.0"
}
