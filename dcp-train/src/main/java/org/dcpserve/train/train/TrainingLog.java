package org.dcpserve.train.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The per-step record of a run: a CSV file with one row per optimizer step, and a PNG of the curves.
 * On resume the rows after the checkpoint's step (written by the interrupted run after its last
 * checkpoint) are dropped, so the file always describes one consistent run.
 */
public final class TrainingLog implements AutoCloseable {

    public static final String HEADER = "step,loss,lm_loss,sparsity,alpha,lr,tokens_per_s";

    /** One optimizer step; losses and sparsity are averaged over its micro-batches. */
    public record Row(long step, double loss, double lmLoss, double sparsity, double alpha, double lr,
                      double tokensPerSecond) {

        String csv() {
            return String.format(Locale.ROOT, "%d,%.7g,%.7g,%.7g,%.7g,%.7g,%.1f",
                    step, loss, lmLoss, sparsity, alpha, lr, tokensPerSecond);
        }

        static Row parse(String line) {
            String[] f = line.split(",");
            return new Row(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                    Double.parseDouble(f[6]));
        }
    }

    private final Path csv;
    private final List<Row> rows = new ArrayList<>();
    private final BufferedWriter writer;

    private TrainingLog(Path csv, List<Row> kept) throws IOException {
        this.csv = csv;
        this.rows.addAll(kept);
        Files.createDirectories(csv.toAbsolutePath().getParent());
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        kept.forEach(row -> lines.add(row.csv()));
        Files.write(csv, lines, StandardCharsets.UTF_8);
        this.writer = Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Opens the log for a run that continues after {@code fromStep} (0 for a new run). */
    public static TrainingLog open(Path csv, long fromStep) throws IOException {
        List<Row> kept = new ArrayList<>();
        if (fromStep > 0 && Files.isRegularFile(csv)) {
            for (Row row : read(csv)) {
                if (row.step() <= fromStep) {
                    kept.add(row);
                }
            }
        }
        return new TrainingLog(csv, kept);
    }

    public static List<Row> read(Path csv) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
            if (!line.isBlank() && !line.startsWith("step")) {
                rows.add(Row.parse(line));
            }
        }
        return rows;
    }

    public Path file() {
        return csv;
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public void append(Row row) throws IOException {
        rows.add(row);
        writer.write(row.csv());
        writer.newLine();
        writer.flush();
    }

    /** Four panels: losses, sparsity, alpha and throughput against the step. */
    public void plot(Path png) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        System.setProperty("java.awt.headless", "true");
        double[] steps = rows.stream().mapToDouble(Row::step).toArray();
        XYChart losses = chart("Loss", "loss");
        losses.addSeries("loss (LM + gamma * keep)", steps, rows.stream().mapToDouble(Row::loss).toArray());
        losses.addSeries("LM loss", steps, rows.stream().mapToDouble(Row::lmLoss).toArray());
        XYChart sparsity = chart("Sparsity (1 - mean keep over causal pairs)", "sparsity");
        sparsity.addSeries("sparsity", steps, rows.stream().mapToDouble(Row::sparsity).toArray());
        XYChart alpha = chart("alpha of the sparse sigmoid", "alpha");
        alpha.addSeries("alpha", steps, rows.stream().mapToDouble(Row::alpha).toArray());
        XYChart speed = chart("Throughput", "tokens/s");
        speed.addSeries("tokens/s", steps, rows.stream().mapToDouble(Row::tokensPerSecond).toArray());
        for (XYChart chart : List.of(losses, sparsity, alpha, speed)) {
            chart.getSeriesMap().values().forEach(series -> series.setMarker(SeriesMarkers.NONE));
        }
        Files.createDirectories(png.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(List.of(losses, sparsity, alpha, speed), 2, 2, png.toString(),
                BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String yAxis) {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle("step").yAxisTitle(yAxis).build();
        chart.getStyler().setLegendVisible(true);
        return chart;
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
