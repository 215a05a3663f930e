package org.dcpserve.train.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** The sweep's results as a markdown table, a CSV and a perplexity-versus-sparsity plot. */
final class SweepReport {

    static final String TABLE = "sweep.md";
    static final String CSV = "sweep.csv";
    static final String PLOT = "sweep.png";

    private SweepReport() {
    }

    static void write(Path dir, List<SweepResult> results) throws IOException {
        StringBuilder table = new StringBuilder("| method | gamma | policy | held-out perplexity | sparsity | KV bytes vs dense |\n"
                + "| --- | --- | --- | --- | --- | --- |\n");
        StringBuilder csv = new StringBuilder("method,model,gamma,policy,perplexity,sparsity,kv_bytes_fraction\n");
        for (SweepResult r : results) {
            table.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.1f%% | %.1f%% |%n", r.method(),
                    r.gamma() == 0 ? "-" : r.gamma(), r.policy(), r.perplexity(), 100 * r.sparsity(),
                    100 * r.kvBytesFraction()));
            csv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%.5f,%.5f,%.5f%n", r.method(), r.model(), r.gamma(),
                    r.policy(), r.perplexity(), r.sparsity(), r.kvBytesFraction()));
        }
        Files.writeString(dir.resolve(TABLE), table);
        Files.writeString(dir.resolve(CSV), csv);
        plot(dir.resolve(PLOT), results);
    }

    private static void plot(Path file, List<SweepResult> results) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(520).title("Held-out perplexity versus sparsity")
                .xAxisTitle("sparsity (share of causal context pairs masked)").yAxisTitle("perplexity").build();
        chart.getStyler().setMarkerSize(9);
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (SweepResult r : results) {
            series.merge(r.method(), new double[][] {{r.sparsity()}, {r.perplexity()}}, (a, b) -> new double[][] {
                    concat(a[0], b[0]), concat(a[1], b[1])});
        }
        series.forEach((name, points) -> {
            XYSeries s = chart.addSeries(name, points[0], points[1]);
            // A curve only where sparsity varies; points at one sparsity (dense runs) stay markers.
            boolean curve = java.util.Arrays.stream(points[0]).distinct().count() > 1;
            s.setXYSeriesRenderStyle(curve ? XYSeries.XYSeriesRenderStyle.Line : XYSeries.XYSeriesRenderStyle.Scatter);
        });
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
