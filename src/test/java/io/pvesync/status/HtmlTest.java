package io.pvesync.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The page's one escaping helper, checked by what an HTML5 parser makes of its output. */
class HtmlTest {
    private static final String HOSTILE = "<script>alert(\"x\")</script> & 'quoted' <img src=x onerror=alert(1)>";

    @Test
    void textEscapesMarkupCharacters() {
        assertThat(Html.text("<b>Tom & \"Jerry's\"</b>")).isEqualTo("&lt;b&gt;Tom &amp; \"Jerry's\"&lt;/b&gt;");
    }

    @Test
    void attributeAlsoEscapesBothQuotes() {
        assertThat(Html.attribute("a\"b'c<d>&e")).isEqualTo("a&quot;b&#39;c&lt;d&gt;&amp;e");
    }

    @Test
    void plainTextIsReturnedAsItIs() {
        String plain = "cluster lab: all 2 endpoints failed (connect timed out after 5s) – ünïcode 🙂";
        assertThat(Html.text(plain)).isSameAs(plain);
        assertThat(Html.attribute(plain)).isSameAs(plain);
    }

    @Test
    void nullIsEmptyAndNulIsTheReplacementCharacter() {
        assertThat(Html.text(null)).isEmpty();
        assertThat(Html.attribute(null)).isEmpty();
        assertThat(Html.text("a\0b")).isEqualTo("a\uFFFDb");
    }

    @Test
    void escapedTextParsesBackToTheSameTextAndNoElement() {
        Document doc = Jsoup.parse("<p id=t>" + Html.text(HOSTILE) + "</p>");

        Element p = doc.getElementById("t");
        assertThat(p.text()).isEqualTo(HOSTILE);
        assertThat(p.children()).isEmpty();
        assertThat(doc.select("script, img")).isEmpty();
    }

    @Test
    void escapedAttributeStaysOneAttributeInEitherQuote() {
        Document doc = Jsoup.parse("<p id=t title=\"" + Html.attribute(HOSTILE) + "\" data-x='"
                + Html.attribute(HOSTILE) + "'>x</p>");

        Element p = doc.getElementById("t");
        assertThat(p.attr("title")).isEqualTo(HOSTILE);
        assertThat(p.attr("data-x")).isEqualTo(HOSTILE);
        assertThat(p.attributes().size()).isEqualTo(3);
        assertThat(doc.select("script, img")).isEmpty();
    }
}
