package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.local.LocalStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 11's operator page in a real headless browser, on the packaged system: an operator pastes a token, sees the
 * sandbox's nodes and a managed database, moves it with a click (and the confirmation) and sees it on its new node;
 * a viewer sees the database's backup schedule and no command button. Nothing may be logged to the browser's console as an error.
 */
@ExtendWith(SystemExtension.class)
class OperatorPageE2E {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String DB = "pg-page";
    static final String ROW = "tr[data-db='" + PlannedOperationsE2E.NS + "/" + DB + "']";
    static final String SCHEDULE = "/api/v1/clusters/" + PlannedOperationsE2E.NS + "/" + DB + "/backup-schedule";
    /** Once a year, its missed slot skipped: shown on the page, never run during the test. */
    static final String YEARLY = "0 0 3 1 1 ?";

    private RunningSystem system;

    /** Before the system is asked for, so that a machine without the browser does not start it for nothing. */
    @BeforeEach
    void browserInstalled() {
        assumeTrue(Chromium.installed(), "OperatorPageE2E skipped: it " + Chromium.HOW_TO_INSTALL);
    }

    @AfterEach
    void dropAndUncordon() {
        if (system != null) {
            system.delete(SCHEDULE);
            PlannedOperationsE2E.drop(system, DB);
            PlannedOperationsE2E.nodes(system).forEach(n ->
                    PlannedOperationsE2E.cordon(system.stack().sandbox().client(), n, false));
        }
    }

    @Test
    void an_operator_moves_a_database_with_a_click_and_a_viewer_sees_no_buttons(RunningSystem system) throws Exception {
        this.system = system;
        PlannedOperationsE2E.awaitEveryNodeReady(system);
        PlannedOperationsE2E.deployOn(system, "node001", DB);
        List<String> nodes = PlannedOperationsE2E.nodes(system);
        JsonNode scheduled = BackupsE2E.finished(system, system.put(SCHEDULE, "{\"cron\":\"" + YEARLY + "\","
                + "\"keepLast\":3,\"missedSlots\":\"skip\"}"));
        assertThat(scheduled.get("state").asText()).as(scheduled.toString()).isEqualTo("SUCCEEDED");

        try (Chromium chromium = Chromium.start()) {
            ChromeDriver page = chromium.driver;
            page.get(system.stack().gatewayUrl() + "/");
            signIn(page, system.stack().token(LocalStack.Role.OPERATOR));
            await().atMost(WAIT).until(() -> text(page, "who").endsWith("(operator)"));
            await().atMost(WAIT).until(() -> nodeNames(page).containsAll(nodes));
            await().atMost(WAIT).until(() -> "node001".equals(cell(page, "td.node")));

            await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class).until(() -> {
                page.findElement(By.cssSelector(ROW + " button[data-action='move']")).click();
                return true;
            });
            Alert confirmation = await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptionsInstanceOf(NoAlertPresentException.class)
                    .until(() -> page.switchTo().alert(), a -> true);
            assertThat(confirmation.getText()).contains("default/" + DB, "node001");
            confirmation.accept();

            await().atMost(WAIT).until(() -> {
                String node = cell(page, "td.node");
                return node != null && !node.equals("node001") && cell(page, "td.phase").startsWith("running");
            });
            String moved = cell(page, "td.node");
            assertThat(PlannedOperationsE2E.pod(system.stack().sandbox().client(), DB).getSpec().getNodeName())
                    .as("where the page says the database runs").isEqualTo(moved);
            await().atMost(WAIT).until(() -> text(page, "timeline").contains("default/" + DB + ": now runs on " + moved));
            assertThat(text(page, "timeline")).contains("move default/" + DB + ": submitted as ");
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target/operator-page.png"), page.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
            assertThat((Boolean) page.executeScript("return document.documentElement.scrollWidth <= window.innerWidth"))
                    .as("the page fits a laptop's width without scrolling sideways").isTrue();

            page.findElement(By.id("sign-out")).click();
            signIn(page, system.stack().token(LocalStack.Role.VIEWER));
            await().atMost(WAIT).until(() -> text(page, "who").endsWith("(viewer)"));
            // The views are there (so an empty page cannot pass: the database on its node, its schedule), and not one
            // command button among them.
            await().atMost(WAIT).until(() -> nodeNames(page).containsAll(nodes) && moved.equals(cell(page, "td.node")));
            await().atMost(WAIT).until(() -> {
                String schedule = (String) page.executeScript("const r = document.querySelector(arguments[0]);"
                        + " return r ? r.textContent : null", "tr[data-schedule='" + PlannedOperationsE2E.NS + "/"
                        + DB + "']");
                return schedule != null && schedule.contains(YEARLY) && schedule.contains("last 3");
            });
            assertThat(page.findElements(By.cssSelector("#views button")).stream().filter(WebElement::isDisplayed)
                    .map(b -> b.getAttribute("data-action")).toList()).as("command buttons a viewer sees").isEmpty();

            assertThat(consoleErrors(page)).as("errors on the browser's console").isEmpty();
        }
    }

    private static void signIn(ChromeDriver page, String token) {
        WebElement field = page.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        page.findElement(By.id("use-token")).click();
    }

    private static String text(ChromeDriver page, String id) {
        return (String) page.executeScript("return document.getElementById(arguments[0]).textContent", id);
    }

    @SuppressWarnings("unchecked")
    private static List<String> nodeNames(ChromeDriver page) {
        return (List<String>) page.executeScript(
                "return [...document.querySelectorAll('#nodes tr')].map(r => r.dataset.node)");
    }

    /** A cell of the database's row, read in one script: the page redraws its tables every few seconds. */
    private static String cell(ChromeDriver page, String selector) {
        return (String) page.executeScript("const c = document.querySelector(arguments[0] + ' ' + arguments[1]);"
                + " return c ? c.textContent : null", ROW, selector);
    }

    /**
     * The console's errors. Until the gateway serves the event stream ({@code /api/v1/events}, its OpenAPI names it),
     * the page's attempts at it are 404s, which the browser logs; the page then refreshes the views instead.
     */
    private List<String> consoleErrors(ChromeDriver page) throws Exception {
        boolean stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(system.stack().gatewayUrl() + "/q/openapi")).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("/api/v1/events");
        List<LogEntry> entries = page.manage().logs().get(LogType.BROWSER).getAll();
        entries.forEach(e -> System.out.println("browser console: " + e.getLevel() + " " + e.getMessage()));
        return entries.stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> stream || !(m.contains("/api/v1/events") && m.contains("404")))
                .toList();
    }
}
