/// A weight file (safetensors, its index, or a tensor in it) that cannot be used. `file` is the path or
/// file name the problem is in; `problem` says what is wrong, with the numbers.
public struct ModelFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        case cannotOpen(reason: String)
        case cannotStat
        case cannotMap(reason: String)
        case cannotCreate
        case cannotWrite
        case tooShort(bytes: Int)
        case headerLengthBeyondFile(headerLength: UInt64, fileSize: Int)
        case headerNotJSONObject
        case headerLengthZero
        case headerTooLarge(headerLength: UInt64, limit: Int)
        case headerNotJSON(detail: String)
        case metadataNotObject
        case duplicateInHeader(tensor: String)
        case malformedField(tensor: String, detail: String)
        case offsetCount(tensor: String, count: Int)
        case malformedEntry(tensor: String)
        case unsupportedDType(tensor: String, dtype: String)
        case malformedShapeOrOffsets(tensor: String)
        case dataOutsideBlock(tensor: String, begin: Int, end: Int, blockSize: Int)
        case impossiblyLarge(tensor: String, shape: [Int])
        case spanDisagreesWithShape(tensor: String, bytes: Int, shape: [Int], dtype: String, needed: Int)
        case overlap(tensor: String, other: String)
        /// A tensor read as float data (or as ids) that holds another type.
        case wrongDType(tensor: String, dtype: String, expected: String)
        case invalidIndex
        case shardMissing(shard: String)
        case tensorNotInShard(tensor: String, shard: String)
        case duplicateTensor(tensor: String, otherFile: String)
        case missingTensor(tensor: String)
        case shapeMismatch(tensor: String, shape: [Int], expected: [Int], format: String?)
        case quantizedWithoutTag(tensor: String, key: String)
        /// Written by another version's quantizer, whose block layout this build does not read.
        case quantizationLayout(found: String, expected: String, key: String)
        case outputFolderNotEmpty
        /// A tensor for a layer the config does not have.
        case layerBeyondConfig(tensor: String, layer: Int, layers: Int)
        /// A tensor the model never reads.
        case unusedTensor(tensor: String, modelType: String)
        case nonFinite(tensor: String)
        /// `seek quantize` of a folder that `seek quantize` wrote.
        case alreadyQuantized(format: String)
        /// Writing failed; `reason` is strerror's text.
        case writeFailed(reason: String)
    }

    public let file: String
    public let problem: Problem

    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}

extension ModelFileError.Problem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .cannotOpen(let reason): return "cannot open (\(reason))"
        case .cannotStat: return "cannot stat"
        case .cannotMap(let reason): return "mmap failed (\(reason))"
        case .cannotCreate: return "cannot create"
        case .cannotWrite: return "cannot write"
        case .tooShort(let bytes): return "file is \(bytes) bytes, too short for a safetensors header"
        case .headerLengthBeyondFile(let length, let size):
            return "header length \(length) is larger than the file (\(size) bytes): truncated or not safetensors"
        case .headerNotJSONObject: return "header is not a JSON object"
        case .headerLengthZero: return "header length is 0: not a safetensors file"
        case .headerTooLarge(let length, let limit): return "header length \(length) is over the format's limit of \(limit) bytes"
        case .headerNotJSON(let detail): return "header is not a JSON object: invalid JSON at \(detail)"
        case .metadataNotObject: return "__metadata__ must be an object of strings"
        case .duplicateInHeader(let tensor): return "tensor '\(tensor)' appears twice in the header"
        case .malformedField(let tensor, let detail): return "tensor '\(tensor)' has a malformed header entry: \(detail)"
        case .offsetCount(let tensor, let count): return "tensor '\(tensor)' has \(count) data_offsets, expected [begin, end]"
        case .malformedEntry(let tensor): return "tensor '\(tensor)' has a malformed header entry"
        case .unsupportedDType(let tensor, let dtype): return "tensor '\(tensor)' has unsupported dtype \(dtype)"
        case .malformedShapeOrOffsets(let tensor): return "tensor '\(tensor)' has a malformed shape or offsets"
        case .dataOutsideBlock(let tensor, let begin, let end, let size):
            return "tensor '\(tensor)' data [\(begin), \(end)) lies outside the data block (\(size) bytes): file truncated?"
        case .impossiblyLarge(let tensor, let shape): return "tensor '\(tensor)' shape \(shape) is impossibly large (corrupt header)"
        case .spanDisagreesWithShape(let tensor, let bytes, let shape, let dtype, let needed):
            return "tensor '\(tensor)' spans \(bytes) bytes but shape \(shape) × \(dtype) needs \(needed)"
        case .overlap(let tensor, let other): return "tensors '\(tensor)' and '\(other)' overlap in the data block"
        case .wrongDType(let tensor, let dtype, let expected): return "tensor '\(tensor)' has dtype \(dtype), expected \(expected)"
        case .invalidIndex: return "not a valid safetensors index (needs a \"weight_map\" object)"
        case .shardMissing(let shard): return "shard '\(shard)' is named in the index but missing from the folder"
        case .tensorNotInShard(let tensor, let shard): return "tensor '\(tensor)' is mapped to \(shard) but not found there"
        case .duplicateTensor(let tensor, let other): return "tensor '\(tensor)' is also in \(other)"
        case .missingTensor(let tensor): return "tensor '\(tensor)' is missing from the checkpoint"
        case .shapeMismatch(let tensor, let shape, let expected, let format):
            return (format.map { "\($0) " } ?? "") + "tensor '\(tensor)' has shape \(shape) but config.json implies \(expected)"
        case .quantizedWithoutTag(let tensor, let key): return "tensor '\(tensor)' is U8 but the file has no valid \(key) metadata"
        case .quantizationLayout(let found, let expected, let key):
            return "quantized with a different layout (\(key) \(found), this seek reads \(expected)); quantize the original model again"
        case .outputFolderNotEmpty: return "output folder exists and is not empty"
        case .layerBeyondConfig(let tensor, let layer, let layers):
            return "tensor '\(tensor)' is for layer \(layer), but config.json num_hidden_layers is \(layers)"
        case .unusedTensor(let tensor, let modelType):
            return "tensor '\(tensor)' is not used by a \(modelType) model with this config.json (checkpoint and config disagree)"
        case .nonFinite(let tensor): return "tensor '\(tensor)' holds NaN or infinite values"
        case .alreadyQuantized(let format): return "already quantized to \(format) by seek quantize; quantize the original model"
        case .writeFailed(let reason): return "cannot write (\(reason))"
        }
    }
}
