package org.sippush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The catalogue is the one list of settings: the shipped settings file and the README's settings
 * table must say the same.
 */
class SettingCatalogueTest {

    private static final String APP = "<name>";

    @Test
    void theShippedFileNamesOnlyCatalogueKeysWithTheCatalogueDefaults() throws IOException {
        Properties shipped = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("server-config", Settings.FILE_NAME), StandardCharsets.UTF_8)) {
            shipped.load(in);
        }
        for (String key : shipped.stringPropertyNames()) {
            SettingKey known = SettingCatalogue.find(key, List.of()).orElseThrow(
                    () -> new AssertionError("the shipped file names " + key + ", which the catalogue lacks"));
            assertEquals(known.defaultValue(), shipped.getProperty(key).trim(), key);
        }
    }

    @Test
    void environmentNamesOfKeysOfTheirOwnAreDistinctAndNeverLookPerApp() {
        List<String> names = SettingCatalogue.global().stream().map(k -> k.environmentName(null)).toList();
        assertEquals(names.size(), names.stream().distinct().count(), names.toString());
        for (String name : names) {
            assertFalse(name.startsWith("SIPPUSH_PUSH_APP_"), name);
        }
    }

    @Test
    void theReadmeSettingsTableListsEveryKeyWithItsVariableAndDefault() throws IOException {
        Map<String, String[]> table = readmeTable();
        Map<String, SettingKey> catalogue = new LinkedHashMap<>();
        for (SettingKey key : SettingCatalogue.all()) {
            catalogue.put(key.key(APP), key);
        }
        assertEquals(new ArrayList<>(catalogue.keySet()), new ArrayList<>(table.keySet()),
                "README's settings table and SettingCatalogue, key by key and in the same order");
        for (Map.Entry<String, SettingKey> entry : catalogue.entrySet()) {
            String[] row = table.get(entry.getKey());
            SettingKey key = entry.getValue();
            String env = key.perApp() ? "SIPPUSH_PUSH_APP_<NAME>_" + SettingKey.envForm(key.name())
                    : key.environmentName(null);
            assertEquals("`" + env + "`", row[1], entry.getKey());
            String expected = key.defaultValue().isEmpty() ? "empty" : "`" + key.defaultValue() + "`";
            assertEquals(expected, row[2], entry.getKey());
            if (key.secret()) {
                assertTrue(row[3].startsWith("secret"), entry.getKey() + " is secret: say so in the README");
            }
        }
    }

    /** The rows of the table in README.md's "## Settings" section: key → its cells. */
    static Map<String, String[]> readmeTable() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## Settings\n");
        int end = readme.indexOf("\n## ", start + 1);
        assertTrue(start >= 0 && end > start, "README.md has a Settings section");
        Map<String, String[]> rows = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\|(.*)\\|\\s*$").matcher(readme.substring(start, end));
        while (row.find()) {
            String[] cells = row.group(2).split("\\|", -1);
            String[] all = new String[] {row.group(1), cells[0].trim(), cells[1].trim(), cells.length > 2 ? cells[2].trim() : ""};
            assertFalse(rows.containsKey(row.group(1)), "listed twice: " + row.group(1));
            rows.put(row.group(1), all);
        }
        return rows;
    }
}
