// The floor of a float32 single-stream decode step on this machine, for the llama-2048 shape (Llama layout:
// 12 layers x 768, hidden 2048, vocab 32000): only the matrix-vector products, written as llama2.c's run.c
// writes them (one OpenMP loop over output rows), over random weights. run.c does this and more per token
// (attention, norms, RoPE, sampling), so its tokens/s is at most this program's. scripts/bench-single-vs-c.sh
// runs it next to our engine.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void matvec(float *out, const float *x, const float *w, int n, int d) {
    int i;
#pragma omp parallel for private(i)
    for (i = 0; i < d; i++) {
        float sum = 0.0f;
        for (int j = 0; j < n; j++) {
            sum += w[(long) i * n + j] * x[j];
        }
        out[i] = sum;
    }
}

static float *random_matrix(long n) {
    float *m = malloc(sizeof(float) * n);
    for (long i = 0; i < n; i++) {
        m[i] = (rand() / (float) RAND_MAX - 0.5f) * 0.05f;
    }
    return m;
}

int main(int argc, char **argv) {
    const int dim = 768, hidden = 2048, layers = 12, vocab = 32000;
    int tokens = argc > 1 ? atoi(argv[1]) : 100;
    // Per layer: wq, wk, wv, wo [dim, dim]; w1, w3 [hidden, dim]; w2 [dim, hidden]. Then the classifier.
    float *w[12][7];
    for (int l = 0; l < layers; l++) {
        for (int m = 0; m < 4; m++) w[l][m] = random_matrix((long) dim * dim);
        for (int m = 4; m < 7; m++) w[l][m] = random_matrix((long) dim * hidden);
    }
    float *classifier = random_matrix((long) vocab * dim);
    static float x[4096], y[32000];
    for (int i = 0; i < 4096; i++) x[i] = rand() / (float) RAND_MAX;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int t = 0; t < tokens; t++) {
        for (int l = 0; l < layers; l++) {
            for (int m = 0; m < 4; m++) matvec(y, x, w[l][m], dim, dim);
            matvec(y, x, w[l][4], dim, hidden);
            matvec(y, x, w[l][5], dim, hidden);
            matvec(y, x, w[l][6], hidden, dim);
        }
        matvec(y, x, classifier, dim, vocab);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%.1f\n", tokens / seconds);
    return 0;
}
