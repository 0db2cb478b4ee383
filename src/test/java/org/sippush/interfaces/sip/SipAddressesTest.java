package org.sippush.interfaces.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a log line and a REGISTER's 200 show of a contact that carries push parameters. */
class SipAddressesTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no push parameters | sip:bob@127.0.0.1:45080;transport=tcp | sip:bob@127.0.0.1:45080;transport=tcp",
        "RFC 8599 | sip:bob@127.0.0.1:45080;pn-provider=apns;pn-prid=" + TOKEN + ";pn-param=TEAM.org.app.voip;transport=udp"
                + " | sip:bob@127.0.0.1:45080;pn-provider=apns;pn-prid=012345…;pn-param=TEAM.org.app.voip;transport=udp",
        "last parameter | sip:bob@127.0.0.1;PN-PRID=" + TOKEN + " | sip:bob@127.0.0.1;PN-PRID=012345…",
        "in angle brackets | <sip:bob@127.0.0.1;pn-prid=" + TOKEN + ">;expires=60 | <sip:bob@127.0.0.1;pn-prid=012345…>;expires=60",
        "before headers | sip:bob@127.0.0.1;pn-prid=" + TOKEN + "?Subject=x | sip:bob@127.0.0.1;pn-prid=012345…?Subject=x",
        "Linphone's pn-tok | sip:bob@127.0.0.1;pn-type=firebase;pn-tok=" + TOKEN + " | sip:bob@127.0.0.1;pn-type=firebase;pn-tok=012345…",
        "any *prid name | sip:bob@127.0.0.1;pn-msg-prid=" + TOKEN + " | sip:bob@127.0.0.1;pn-msg-prid=012345…",
        "short token shows nothing | sip:bob@127.0.0.1;pn-prid=abc | sip:bob@127.0.0.1;pn-prid=…",
        "empty token | sip:bob@127.0.0.1;pn-prid=;transport=tcp | sip:bob@127.0.0.1;pn-prid=…;transport=tcp",
        "a name that only contains prid | sip:bob@127.0.0.1;pn-pridx=" + TOKEN + " | sip:bob@127.0.0.1;pn-pridx=" + TOKEN,
        "not a pn- parameter | sip:bob@127.0.0.1;xpn-prid=" + TOKEN + " | sip:bob@127.0.0.1;xpn-prid=" + TOKEN,
        "two tokens | sip:bob@127.0.0.1;pn-prid=" + TOKEN + ";pn-tok=" + TOKEN + " | sip:bob@127.0.0.1;pn-prid=012345…;pn-tok=012345…",
        "a flag named prid, then another parameter | sip:bob@127.0.0.1;pn-prid;x=" + TOKEN + " | sip:bob@127.0.0.1;pn-prid;x=" + TOKEN,
        "pn- at the very end | sip:bob@127.0.0.1;pn- | sip:bob@127.0.0.1;pn-",
    })
    void logLinesMaskPushTokens(String what, String uri, String logged) {
        assertEquals(logged, SipAddresses.forLog(uri));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no push parameters | sip:bob@127.0.0.1:45080;transport=tcp;ob | sip:bob@127.0.0.1:45080;transport=tcp;ob",
        "RFC 8599 | sip:bob@127.0.0.1:45080;pn-provider=apns;pn-prid=" + TOKEN + ";pn-param=TEAM.org.app.voip;transport=udp"
                + " | sip:bob@127.0.0.1:45080;transport=udp",
        "upper case, last | sip:bob@127.0.0.1;transport=tcp;PN-Provider=fcm;PN-PRID=" + TOKEN + " | sip:bob@127.0.0.1;transport=tcp",
        "flag without value | sip:bob@127.0.0.1;pn-purr;lr | sip:bob@127.0.0.1;lr",
        "before headers | sip:bob@127.0.0.1;pn-prid=" + TOKEN + "?Subject=x | sip:bob@127.0.0.1?Subject=x",
        "other parameters kept | sip:bob@127.0.0.1;xpn-prid=1;pnx=2 | sip:bob@127.0.0.1;xpn-prid=1;pnx=2",
        "an odd name goes whole, token included | sip:bob@127.0.0.1;pn-a+b=" + TOKEN + ";transport=tcp | sip:bob@127.0.0.1;transport=tcp",
        "pn- at the very end | sip:bob@127.0.0.1;lr;pn- | sip:bob@127.0.0.1;lr",
    })
    void theAnswerToARegisterShowsNoPushParameter(String what, String uri, String shown) {
        assertEquals(shown, SipAddresses.withoutPushParameters(uri));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"'1 INVITE' | 1", "'  42\tREGISTER ' | 42", "'7' | 7", "'' | ''", "'   ' | ''"})
    void theCSeqNumberIsItsFirstWord(String cseq, String number) {
        assertEquals(number, SipAddresses.firstWord(cseq));
    }

    @org.junit.jupiter.api.Test
    void nothingToLogIsNull() {
        assertNull(SipAddresses.forLog(null));
    }
}
