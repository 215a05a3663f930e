package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/** The web view in a real browser: generate in the playground, then read the drop trace in the explain view. */
class WebViewTest extends GatedModelServiceTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static ChromeDriver browser;

    @BeforeAll
    static void startBrowser() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "chromium/chromedriver not installed (apt-get install chromium chromium-driver): skipping the browser test");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1400,1000",
                "--user-data-dir=" + Files.createTempDirectory("dcp-chromium"));
        // The console, where Chromium reports what the Content-Security-Policy refused.
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void generateThenExplainShowsEveryLayerAndEveryDrop() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get("http://localhost:" + port + "/");
        WebElement prompt = browser.findElement(By.id("prompt"));
        prompt.clear();
        prompt.sendKeys(ExplainApiTest.PROMPT);
        WebElement maxTokens = browser.findElement(By.id("max-new-tokens"));
        maxTokens.clear();
        maxTokens.sendKeys("25");
        browser.findElement(By.id("generate")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("result")));
        assertThat(browser.findElement(By.id("result-sparsity")).getText()).endsWith("%");
        assertThat(browser.findElement(By.id("result-text")).getText()).isNotBlank();

        browser.findElement(By.id("explain-link")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("explanation")));
        String requestId = browser.findElement(By.id("request-id")).getText();
        JsonNode trace = http.explainOk(requestId);

        List<WebElement> rows = browser.findElements(By.cssSelector("#grid tr"));
        assertThat(rows).hasSize(trace.get("layers").size());
        int drops = 0;
        for (JsonNode layer : trace.get("layers")) {
            drops += layer.get("drops").size();
        }
        assertThat(drops).as("the gated test model drops tokens").isPositive();
        assertThat(browser.findElements(By.cssSelector("#grid td.cell.dropped"))).hasSize(drops);
        assertThat(browser.findElements(By.cssSelector("#grid td.cell")))
                .hasSize(trace.get("layers").size() * trace.get("tokens_fed").asInt());

        JsonNode firstDrop = trace.get("layers").valueStream().flatMap(l -> l.get("drops").valueStream())
                .findFirst().orElseThrow();
        browser.findElement(By.cssSelector("#text .tok[data-position='" + firstDrop.get("position").asInt() + "']")).click();
        assertThat(browser.findElement(By.id("token-detail")).getText())
                .contains("dropped by")
                .contains("at position " + firstDrop.get("dropper_position").asInt());

        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "web-view-explain.png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void theStatsPageDrawsTheTokenByLayerHeatmapWithLinksToExampleRequests() throws Exception {
        for (int i = 0; i < 3; i++) {
            http.generateOk(ExplainApiTest.PROMPT, 15, 100 + i, "");
        }
        JsonNode stats = http.json200("/explain/stats?min_count=1&limit=20");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get("http://localhost:" + port + "/stats.html");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("stats")));
        List<WebElement> rows = browser.findElements(By.cssSelector("#heatmap tr[data-token-id]"));
        assertThat(rows).hasSize(stats.get("heatmap").get("rows").size()).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#heatmap tr[data-token-id] td.heat")))
                .hasSize(rows.size() * stats.get("heatmap").get("layers").size());
        assertThat(browser.findElements(By.cssSelector("#layers tr"))).hasSize(1 + stats.get("layers").size());
        assertThat(browser.findElement(By.id("requests")).getText()).isEqualTo(stats.get("requests").asString());
        // The most dropped token's row: its first example opens that request's explain view.
        JsonNode top = stats.get("top_dropped").get(0);
        WebElement row = browser.findElement(By.cssSelector("#heatmap tr[data-token-id='" + top.get("token_id").asInt()
                + "']"));
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "web-view-stats.png"), browser.getScreenshotAs(OutputType.BYTES));
        row.findElement(By.cssSelector("a.example")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("explanation")));
        assertThat(browser.findElement(By.id("request-id")).getText()).isEqualTo(top.get("examples").get(0).asString());
    }

    @Test
    void noPageNorSwaggerUiRunsIntoItsContentSecurityPolicy() {
        String id = http.generateOk(ExplainApiTest.PROMPT, 12, 5, "").get("request_id").asString();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.manage().logs().get(LogType.BROWSER);   // drops what earlier tests left
        browser.get("http://localhost:" + port + "/explain.html?id=" + id);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("explanation")));
        // The kept share of each layer's bar is set through the DOM (a style attribute would be refused).
        assertThat(browser.findElements(By.cssSelector(".bar span"))).isNotEmpty()
                .allSatisfy(fill -> assertThat(fill.getDomAttribute("style")).contains("width"));
        browser.get("http://localhost:" + port + "/stats.html");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("stats")));
        browser.get("http://localhost:" + port + "/");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("model-name"), MODEL));
        browser.get("http://localhost:" + port + "/swagger-ui/index.html");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".opblock")));
        List<String> refused = browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy") || message.contains("Refused"))
                .toList();
        assertThat(refused).isEmpty();
    }

    @Test
    void anUnknownRequestShowsTheProblemDetail() {
        browser.get("http://localhost:" + port + "/explain.html?id=00000000-0000-0000-0000-000000000000");
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(
                ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "no trace"));
        assertThat(browser.findElement(By.id("explanation")).isDisplayed()).isFalse();
    }
}
