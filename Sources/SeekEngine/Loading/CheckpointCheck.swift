import Foundation

/// What makes a checkpoint and its config.json agree beyond each tensor's shape: every tensor in the
/// files is one the model uses (a 4-layer checkpoint with `num_hidden_layers: 2` would otherwise
/// silently run half the model), and the float values are finite.
enum CheckpointCheck {
    /// Throws for the first tensor (in name order) that the binding did not use and that is not a
    /// known optional extra: the multi-token-prediction layers `num_nextn_predict_layers` announces,
    /// and `rotary_emb.inv_freq` buffers (recomputed from the config).
    static func requireAllUsed(store: TensorStore, used: Set<String>, config: ModelConfig) throws {
        for name in store.names.sorted() where !used.contains(name) {
            if name.hasSuffix("rotary_emb.inv_freq") { continue }
            let file = store[name]?.file ?? store.folder
            if let layer = layerIndex(of: name) {
                let mtp = config.numHiddenLayers..<(config.numHiddenLayers + config.numNextNPredictLayers)
                if mtp.contains(layer) { continue }
                if layer >= config.numHiddenLayers {
                    throw ModelFileError(file: file, problem: .layerBeyondConfig(tensor: name, layer: layer,
                                                                                 layers: config.numHiddenLayers))
                }
            }
            throw ModelFileError(file: file, problem: .unusedTensor(tensor: name, modelType: config.modelType))
        }
    }

    /// N of `model.layers.N.…`.
    static func layerIndex(of name: String) -> Int? {
        let prefix = "model.layers."
        guard name.hasPrefix(prefix) else { return nil }
        return Int(name.dropFirst(prefix.count).prefix { $0 != "." })
    }

    /// Throws unless every value is finite.
    static func requireFinite(_ values: [Float], tensor: TensorView) throws {
        var sum: Float = 0
        values.withUnsafeBufferPointer { for x in $0 { sum += x * 0 } }
        guard sum == 0 else { throw ModelFileError(file: tensor.file, problem: .nonFinite(tensor: tensor.name)) }
    }

    /// Throws unless a sample of the tensor (its first and last values: a few pages, however large the
    /// tensor) is finite. A cheap probe for listings; generation checks every logit.
    static func requireSampleFinite(_ tensor: TensorView) throws {
        guard [.f32, .bf16, .f16].contains(tensor.dtype), tensor.elementCount > 0 else { return }
        let edge = min(tensor.elementCount, 2048)
        var sample = [Float](repeating: 0, count: edge)
        for start in Set([0, tensor.elementCount - edge]) {
            let pointer = tensor.data + start * tensor.dtype.byteSize
            sample.withUnsafeMutableBufferPointer { out in
                switch tensor.dtype {
                case .f32: out.baseAddress!.update(from: pointer.assumingMemoryBound(to: Float.self), count: edge)
                case .bf16: Convert.bf16ToFloat(pointer.assumingMemoryBound(to: UInt16.self), out.baseAddress!, edge)
                default: Convert.f16ToFloat(pointer.assumingMemoryBound(to: UInt16.self), out.baseAddress!, edge)
                }
            }
            try requireFinite(sample, tensor: tensor)
        }
    }
}
