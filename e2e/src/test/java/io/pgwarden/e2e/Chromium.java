package io.pgwarden.e2e;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Debian's headless {@code chromium}, driven through its {@code chromium-driver}, with an empty profile of its own.
 * Both are found at {@code /usr/bin} unless {@code -Dbrowser.chromium=…} and {@code -Dbrowser.chromedriver=…} say
 * otherwise; the project does not install them.
 */
final class Chromium implements AutoCloseable {
    static final String HOW_TO_INSTALL = "needs Debian's chromium and chromium-driver (apt-get install -y chromium"
            + " chromium-driver), or -Dbrowser.chromium=… and -Dbrowser.chromedriver=… naming a browser and its driver";
    static final Path BROWSER = Path.of(System.getProperty("browser.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("browser.chromedriver", "/usr/bin/chromedriver"));

    final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static boolean installed() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    }

    /** A browser with a laptop's window, keeping its console log (every level) for {@link LogType#BROWSER}. */
    static Chromium start() {
        Path profile;
        try {
            profile = Files.createTempDirectory("pgwarden-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile()).addArguments("--headless",
                "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1366,768",
                "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        return new Chromium(new ChromeDriver(service, options), profile);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a profile left in the temp directory is harmless
            }
        }
    }
}
