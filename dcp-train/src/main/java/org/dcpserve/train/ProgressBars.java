package org.dcpserve.train;

import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The one look of every dcp-train progress bar (stderr, ASCII, so logs stay readable). */
public final class ProgressBars {

    private ProgressBars() {
    }

    /** A bar over {@code total} units named {@code unit}, starting from 0. */
    public static ProgressBar of(String task, long total, String unit) {
        return from(task, total, unit, 0);
    }

    /** A bar over {@code total} units that starts at {@code done} (a resumed run). */
    public static ProgressBar from(String task, long total, String unit, long done) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .startsFrom(done, Duration.ZERO)
                .setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setMaxRenderedLength(160)
                .build();
    }
}
