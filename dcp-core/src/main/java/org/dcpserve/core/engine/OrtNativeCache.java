package org.dcpserve.core.engine;

import static java.nio.charset.StandardCharsets.UTF_8;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts ONNX Runtime's native libraries once, to a cache folder reused by every later start, and points ONNX
 * Runtime at it ({@code onnxruntime.native.path}). Left alone, ONNX Runtime copies its 24 MB library into a new
 * {@code onnxruntime-java*} temp folder on every start and leaves it behind when the process is killed.
 *
 * <p>The folder is {@code <base>/<version>-<key>}: the key sums the libraries' sizes and CRCs, so the CPU and
 * the GPU artifact of one version never share a folder. A library is written to a temp file in that folder and
 * renamed into place atomically, so a process never sees a half-written file, and two processes starting at
 * once both end with the same complete files. Call {@link #install()} before the first {@link OrtEnvironment}.
 */
public final class OrtNativeCache {

    /** ONNX Runtime's own property: the folder it loads its libraries from instead of extracting them. */
    public static final String ORT_NATIVE_PATH = "onnxruntime.native.path";
    /** Ours: the base folder of the cache (system property; environment variable {@code DCP_NATIVE_CACHE}). */
    public static final String CACHE_PROPERTY = "dcp.native-cache";

    private static final Logger log = LoggerFactory.getLogger(OrtNativeCache.class);
    /** Every library ONNX Runtime's jar may carry (its OnnxRuntime class loads or extracts these by name). */
    private static final List<String> LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni",
            "onnxruntime_providers_shared", "onnxruntime_providers_cuda", "onnxruntime_providers_rocm",
            "onnxruntime_providers_dnnl", "onnxruntime_providers_openvino", "onnxruntime_providers_tensorrt",
            "onnxruntime_providers_qnn", "webgpu_dawn", "dxil", "dxcompiler");

    private static Path installed;

    private OrtNativeCache() {
    }

    /** The base folder: {@code dcp.native-cache}, else {@code DCP_NATIVE_CACHE}, else {@code ~/.cache/dcp-serve/onnxruntime}. */
    public static Path defaultBase() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("DCP_NATIVE_CACHE");
        }
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "dcp-serve", "onnxruntime");
    }

    /** {@link #install(Path)} into {@link #defaultBase()}. */
    public static Optional<Path> install() {
        return install(defaultBase());
    }

    /**
     * Makes sure the libraries are in the cache under {@code base}, points ONNX Runtime at them and loads them.
     * Does nothing when {@code onnxruntime.native.path} is already set (by the user, or by an earlier call). A
     * cache that cannot be written is logged and left to ONNX Runtime's own extraction: the service still starts.
     *
     * @return the folder ONNX Runtime loads from, or empty when ONNX Runtime extracts as it does by default
     */
    public static synchronized Optional<Path> install(Path base) {
        if (installed != null) {
            return Optional.of(installed);
        }
        String preset = System.getProperty(ORT_NATIVE_PATH);
        if (preset != null) {
            return Optional.of(Path.of(preset));
        }
        String platform = platform();
        List<Native> natives = platform == null ? List.of() : natives(platform);
        if (natives.isEmpty()) {
            log.debug("No ONNX Runtime libraries for {} in the class path; leaving them to ONNX Runtime", platform);
            return Optional.empty();
        }
        Path folder = base.resolve(version() + "-" + key(natives));
        try {
            Files.createDirectories(folder);
            for (Native lib : natives) {
                lib.extractTo(folder);
            }
        } catch (IOException | UncheckedIOException e) {
            log.warn("Cannot cache ONNX Runtime's native libraries in {} ({}); ONNX Runtime extracts them to a temp"
                    + " folder instead (set {} to a writable folder)", folder, e.getMessage(), CACHE_PROPERTY);
            return Optional.empty();
        }
        System.setProperty(ORT_NATIVE_PATH, folder.toString());
        installed = folder;
        load();
        return Optional.of(folder);
    }

    /**
     * Loads ONNX Runtime now (its OrtEnvironment class does on initialisation), then removes the temp folder it
     * creates even when it is told where its libraries are: empty, but left behind by a killed process. Its own
     * clean-up only runs at a normal exit; reaching the folder takes reflection, so any failure just leaves it
     * to that clean-up.
     */
    private static void load() {
        try {
            Class.forName(OrtEnvironment.class.getName(), true, OrtNativeCache.class.getClassLoader());
            Class<?> runtime = Class.forName("ai.onnxruntime.OnnxRuntime");
            Field field = runtime.getDeclaredField("tempDirectory");
            field.setAccessible(true);
            if (field.get(null) instanceof Path temp && Files.isDirectory(temp) && isEmpty(temp)) {
                Files.delete(temp);
            }
        } catch (ReflectiveOperationException | RuntimeException | IOException e) {
            log.debug("Could not remove ONNX Runtime's empty temp folder now; it goes at exit", e);
        }
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            return !entries.iterator().hasNext();
        }
    }

    /** ONNX Runtime's name of this platform's resource folder ({@code ai/onnxruntime/native/<platform>}). */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ENGLISH);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ENGLISH);
        String osName = os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win"
                : os.contains("nux") ? "linux" : null;
        String archName = arch.startsWith("amd64") || arch.startsWith("x86_64") ? "x64"
                : arch.startsWith("aarch64") ? "aarch64" : null;
        return osName == null || archName == null ? null : osName + "-" + archName;
    }

    private static String version() {
        String version = OrtEnvironment.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }

    private static List<Native> natives(String platform) {
        List<Native> found = new ArrayList<>();
        for (String library : LIBRARIES) {
            String file = System.mapLibraryName(library);
            URL url = OrtEnvironment.class.getResource("/ai/onnxruntime/native/" + platform + "/" + file);
            if (url != null) {
                found.add(Native.of(file, url));
            }
        }
        return found;
    }

    /** Names the artifact: different bytes, a different key. */
    private static String key(List<Native> natives) {
        CRC32 crc = new CRC32();
        for (Native lib : natives) {
            crc.update(lib.name().getBytes(UTF_8));
            crc.update(HexFormat.of().toHexDigits(lib.crc()).getBytes(UTF_8));
            crc.update(HexFormat.of().toHexDigits(lib.size()).getBytes(UTF_8));
        }
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }

    /** A library in the jar, with its size and CRC (from the jar's directory when it has one, else by reading it). */
    private record Native(String name, URL url, long size, long crc) {

        static Native of(String name, URL url) {
            try {
                URLConnection connection = url.openConnection();
                if (connection instanceof JarURLConnection jar && jar.getJarEntry() != null
                        && jar.getJarEntry().getCrc() >= 0 && jar.getJarEntry().getSize() >= 0) {
                    return new Native(name, url, jar.getJarEntry().getSize(), jar.getJarEntry().getCrc());
                }
                try (CheckedInputStream in = new CheckedInputStream(connection.getInputStream(), new CRC32())) {
                    long size = in.transferTo(OutputStream.nullOutputStream());
                    return new Native(name, url, size, in.getChecksum().getValue());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + url, e);
            }
        }

        /** Writes the library unless the folder already holds it complete (files only ever appear complete). */
        void extractTo(Path folder) throws IOException {
            Path target = folder.resolve(name);
            if (Files.isRegularFile(target) && Files.size(target) == size) {
                return;
            }
            Path temp = Files.createTempFile(folder, name, ".part");
            try {
                try (InputStream in = url.openStream()) {
                    Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                }
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    // Windows cannot replace a library another process has loaded; that one is complete.
                    if (!(Files.isRegularFile(target) && Files.size(target) == size)) {
                        throw e;
                    }
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }
}
