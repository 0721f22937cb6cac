import Foundation
import XCTest

/// Finds `../shared` next to the package root (the folder holding Package.swift).
enum SharedData {
    static func path(_ relative: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        var folder = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                let target = folder.deletingLastPathComponent().appendingPathComponent("shared").appendingPathComponent(relative)
                if FileManager.default.fileExists(atPath: target.path) { return target.path }
                XCTFail("missing ground truth \(target.path)", file: file, line: line)
                return nil
            }
            folder = folder.deletingLastPathComponent()
        }
        XCTFail("no Package.swift above \(#filePath)", file: file, line: line)
        return nil
    }

    static func text(_ relative: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        guard let path = path(relative, file: file, line: line) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            XCTFail("cannot read \(path)", file: file, line: line)
            return nil
        }
        return text
    }

    static func json(_ relative: String, file: StaticString = #filePath, line: UInt = #line) -> Any? {
        guard let text = text(relative, file: file, line: line) else { return nil }
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            XCTFail("bad JSON in \(relative): \(error)", file: file, line: line)
            return nil
        }
    }
}
