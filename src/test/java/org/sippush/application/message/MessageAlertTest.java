package org.sippush.application.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sippush.domain.push.MessageAlert;

/** The preview a message push shows, and the types that decide whether there is one. */
class MessageAlertTest {

    @Test
    void aPreviewIsCutAtWholeCharacters() {
        assertEquals("Grüß", MessageAlert.preview("Grüß", 4));
        assertEquals("Grü…", MessageAlert.preview("Grüß", 3));
        assertEquals("👋👋…", MessageAlert.preview("👋👋👋", 2), "an emoji (a surrogate pair) is never split");
        assertEquals("", MessageAlert.preview("anything", 0));
        assertEquals("hi", MessageAlert.preview("  hi\n", 10));
    }

    @ParameterizedTest
    @CsvSource({
            "'text/plain', TEXT",
            "'text/plain;charset=UTF-8', TEXT",
            "'', TEXT",
            "'Application/IM-isComposing+XML', COMPOSING",
            "'message/imdn+xml', NOTICE",
            "'message/cpim', OTHER",
            "'image/png', OTHER"
    })
    void theContentTypeDecides(String contentType, MessageType expected) {
        assertEquals(expected, MessageType.of(contentType));
    }
}
