// How fast this machine streams memory into the cores: the best of 10 passes summing a float array with
// OpenMP (2 threads on this machine). A decode step of one sequence reads every weight once, so
// bandwidth / weight bytes bounds the single-stream tokens/s of any engine, llama2.c's run.c included.
// scripts/bench-bounds.sh runs it next to weight-reads.c.
//
//   read-bandwidth [MiB]      prints GB/s (1e9 bytes per second); default 440 MiB, the llama-2048 weights
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long floats = (argc > 1 ? atol(argv[1]) : 440) * 1024L * 1024L / sizeof(float);
    float *data = malloc(floats * sizeof(float));
    if (data == NULL) {
        fprintf(stderr, "read-bandwidth: cannot allocate %ld floats\n", floats);
        return 1;
    }
#pragma omp parallel for
    for (long i = 0; i < floats; i++) data[i] = (float) (i & 1023);   // touched by the threads that read it
    double best = 0;
    float sink = 0;
    for (int pass = 0; pass < 10; pass++) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        float sum = 0;
#pragma omp parallel for reduction(+ : sum)
        for (long i = 0; i < floats; i++) sum += data[i];
        clock_gettime(CLOCK_MONOTONIC, &end);
        double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
        double rate = floats * sizeof(float) / seconds / 1e9;
        if (rate > best) best = rate;
        sink += sum;
    }
    printf("%.1f\n", best);
    return sink == 42.0f ? 2 : 0;   // uses the sums, so the compiler cannot drop the loop
}
