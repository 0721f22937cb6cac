import Foundation
import SeekJSON
import SeekEngine

/// Quantized copies of model folders, made once and mapped on later starts: `--quant q8|q4` on a folder
/// of bf16/f16/f32 weights writes `seek quantize`'s output to `$XDG_CACHE_HOME/seek/models/NAME`
/// (`~/.cache/seek/models/NAME`), keyed by the source's identity (each weight file's size, mtime and
/// header hash), the kind and the byte layout. An entry is written to a temporary folder and renamed
/// into place, so a crash never leaves a half-written entry under its name; an entry whose source
/// changed, or whose files do not match its manifest, is rebuilt, never trusted.
public struct QuantizedModelCache: Sendable, Equatable {
    /// The folder holding the entries.
    public let root: String

    /// The manifest each entry holds next to its model files.
    static let manifestName = "seek-cache.json"

    public init(root: String) { self.root = root }

    /// `$XDG_CACHE_HOME/seek/models`, else `$HOME/.cache/seek/models`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".cache")
        root = ((base as NSString).appendingPathComponent("seek") as NSString).appendingPathComponent("models")
    }

    /// One cached quantized model.
    public struct Entry: Equatable, Sendable {
        /// The entry's folder name (what `seek cache rm` takes).
        public var name: String
        public var folder: String
        /// The folder it was made from.
        public var source: String
        public var kind: QuantFormat
        /// Bytes of the entry's weight files.
        public var bytes: Int
        /// False when the source changed since (or is gone): the entry will not be used again.
        public var isCurrent: Bool
    }

    /// Written as JSON, keys sorted, indented by two spaces.
    struct Manifest: Codable, Equatable {
        var source: String
        var kind: String
        var layout: String
        var key: String
        var files: [SourceIdentity.File]
        /// The entry's own weight files and their sizes.
        var outputs: [String: Int]
    }

    /// The entry for `source` quantized to `kind`, when one exists, is complete and matches the source
    /// as it is now. A damaged entry is removed.
    public func entry(for source: String, kind: QuantFormat) -> Entry? {
        guard let identity = SourceIdentity(folder: source) else { return nil }
        let folder = (root as NSString).appendingPathComponent(entryName(source: source, kind: kind, identity: identity))
        guard FileManager.default.fileExists(atPath: folder) else { return nil }
        guard let manifest = readManifest(folder), manifest.key == identity.key(kind: kind, layout: QuantFormat.layout),
              manifest.kind == kind.rawValue, manifest.layout == QuantFormat.layout, manifest.files == identity.files,
              filesMatch(folder, manifest.outputs)
        else {
            try? FileManager.default.removeItem(atPath: folder)
            return nil
        }
        return Entry(name: (folder as NSString).lastPathComponent, folder: folder, source: manifest.source, kind: kind,
                     bytes: manifest.outputs.values.reduce(0, +), isCurrent: true)
    }

    /// Quantizes `source` into a new entry (replacing any earlier entry of the same source and kind)
    /// and returns it. `progress` hears each tensor written.
    public func build(from source: String, kind: QuantFormat, threads: Int = 0,
                      progress: ProgressHandler? = nil) throws -> Entry {
        guard let identity = SourceIdentity(folder: source) else {
            throw ModelFolderError(folder: source, problem: .noWeights)
        }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        let name = entryName(source: source, kind: kind, identity: identity)
        let folder = (root as NSString).appendingPathComponent(name)
        let building = (root as NSString).appendingPathComponent(".building-\(UUID().uuidString)")
        defer { try? fm.removeItem(atPath: building) }
        _ = try ModelQuantizer.quantize(folder: source, format: kind, output: building, threads: threads, progress: progress)
        var outputs: [String: Int] = [:]
        for file in ModelFolder(path: building).weightFileNames {
            outputs[file] = FileStatus(path: (building as NSString).appendingPathComponent(file))?.size ?? 0
        }
        let manifest = Manifest(source: source, kind: kind.rawValue, layout: QuantFormat.layout,
                                key: identity.key(kind: kind, layout: QuantFormat.layout), files: identity.files, outputs: outputs)
        try manifest.jsonData().write(to: URL(fileURLWithPath: (building as NSString).appendingPathComponent(Self.manifestName)))

        // Earlier entries of this source and kind (the source changed since) go; then the new one
        // appears under its name in one rename.
        for old in list() where old.source == source && old.kind == kind { try? fm.removeItem(atPath: old.folder) }
        if rename(building, folder) != 0 {
            // Another seek finished the same entry first: use it.
            guard let existing = entry(for: source, kind: kind) else {
                throw CacheError(folder: folder, problem: .cannotStore(reason: String(cString: strerror(errno))))
            }
            return existing
        }
        return Entry(name: name, folder: folder, source: source, kind: kind, bytes: outputs.values.reduce(0, +), isCurrent: true)
    }

    /// Every entry, by name.
    public func list() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.sorted().compactMap { name in
            guard !name.hasPrefix(".") else { return nil }
            let folder = (root as NSString).appendingPathComponent(name)
            guard let manifest = readManifest(folder), let kind = QuantFormat(rawValue: manifest.kind) else { return nil }
            let current = manifest.layout == QuantFormat.layout && SourceIdentity(folder: manifest.source)?.files == manifest.files
                && filesMatch(folder, manifest.outputs)
            return Entry(name: name, folder: folder, source: manifest.source, kind: kind,
                         bytes: manifest.outputs.values.reduce(0, +), isCurrent: current)
        }
    }

    /// Removes the entry called `name`; throws `CacheError` when there is none.
    public func remove(_ name: String) throws {
        let folder = (root as NSString).appendingPathComponent(name)
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), readManifest(folder) != nil else {
            throw CacheError(folder: folder, problem: .noSuchEntry(name: name, known: list().map(\.name)))
        }
        try FileManager.default.removeItem(atPath: folder)
    }

    /// Removes every entry (and any left half-built); returns how many entries there were.
    @discardableResult
    public func removeAll() throws -> Int {
        let count = list().count
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            try FileManager.default.removeItem(atPath: (root as NSString).appendingPathComponent(name))
        }
        return count
    }

    /// "FOLDERNAME-q4-KEY": readable, and unique per source version and kind.
    private func entryName(source: String, kind: QuantFormat, identity: SourceIdentity) -> String {
        var hash = FNV1a()
        hash.add(identity.key(kind: kind, layout: QuantFormat.layout))
        hash.add(source)
        let base = (source as NSString).lastPathComponent.replacingOccurrences(of: " ", with: "_")
        return "\(base)-\(kind.rawValue)-\(hash.hex.prefix(12))"
    }

    private func readManifest(_ folder: String) -> Manifest? {
        guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(Self.manifestName)) else { return nil }
        return Manifest(jsonData: data)
    }

    private func filesMatch(_ folder: String, _ outputs: [String: Int]) -> Bool {
        !outputs.isEmpty && outputs.allSatisfy { FileStatus(path: (folder as NSString).appendingPathComponent($0.key))?.size == $0.value }
    }
}

/// A quantized-model cache operation that failed.
public struct CacheError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        case noSuchEntry(name: String, known: [String])
        case cannotStore(reason: String)
    }

    public let folder: String
    public let problem: Problem

    public var description: String {
        switch problem {
        case .noSuchEntry(let name, let known):
            return "no cached model \"\(name)\"" + (known.isEmpty ? " (the cache is empty)" : "; cached: " + known.joined(separator: ", "))
        case .cannotStore(let reason):
            return "\(folder): cannot store the quantized model (\(reason))"
        }
    }
}

extension QuantizedModelCache.Manifest {
    func jsonData() throws -> Data {
        let writer = JSONWriter(ensureASCII: false, indent: "  ", sortKeys: true, allowNonFinite: false)
        return Data((try writer.string(try JSONValueEncoder().encode(self)) + "\n").utf8)
    }

    /// Nil for anything that is not a whole manifest (the entry is then rebuilt).
    init?(jsonData data: Data) {
        guard let manifest = try? JSONValueDecoder().decode(Self.self, from: [UInt8](data)) else { return nil }
        self = manifest
    }
}
