package org.dcpserve.core.engine;

/** Where ONNX Runtime executes the graphs. */
public enum ExecutionProvider {
    CPU,
    /** NVIDIA GPUs; needs the onnxruntime_gpu artifact (build with -Pcuda) and a CUDA installation. */
    CUDA
}
