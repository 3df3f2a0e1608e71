package io.pvesync.monitoring;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a PromQL expression reads, found by a small tokenizer rather than a full parser: its series
 * selectors (metric name and label matchers) and the labels it groups or matches by ({@code by},
 * {@code without}, {@code on}, {@code ignoring}, {@code group_left}, {@code group_right}). Enough to
 * check that a dashboard or an alert rule names only series and labels that {@code /metrics}
 * exposes; it does not check the expression's structure (promtool does that for the rules).
 *
 * <p>An identifier followed by {@code (} must be a known function or aggregation, so a misspelt
 * function is an error rather than a series that silently is not there; an identifier that is not
 * a keyword, a function or an aggregation is a metric name. Grafana's variables ({@code $cluster},
 * {@code ${cluster}}, {@code $__rate_interval}) are taken as they are: in a string they are part of
 * the value, in a range they are the range. Functions that make labels out of strings
 * ({@code label_replace}, {@code label_join}) are refused: their label names would escape the check.
 */
final class PromQl {
    /** A label matcher: {@code label op "value"} with op one of =, !=, =~, !~. */
    record LabelMatcher(String label, String op, String value) {
    }

    /** A series selector: the metric's name and its label matchers. */
    record Selector(String metric, List<LabelMatcher> matchers) {
    }

    /** What an expression reads. */
    record Reading(List<Selector> selectors, Set<String> groupingLabels, Set<String> functions) {
    }

    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> FUNCTIONS = Set.of("abs", "absent", "absent_over_time", "ceil", "changes",
            "clamp", "clamp_max", "clamp_min", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "delta",
            "deriv", "exp", "floor", "histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile",
            "histogram_stddev", "histogram_stdvar", "histogram_sum", "holt_winters", "double_exponential_smoothing",
            "hour", "idelta", "increase", "irate", "ln", "log2", "log10", "minute", "month", "predict_linear", "rate",
            "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sort_by_label", "sort_by_label_desc", "sqrt",
            "time", "timestamp", "vector", "year", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time",
            "count_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time",
            "present_over_time", "mad_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh",
            "sin", "sinh", "tan", "tanh", "deg", "pi", "rad", "start", "end");
    private static final Set<String> UNSUPPORTED = Set.of("label_replace", "label_join", "sort_by_label",
            "sort_by_label_desc", "count_values");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "atan2", "offset", "inf", "nan");
    private static final Set<String> MATCH_OPS = Set.of("=", "!=", "=~", "!~");

    private enum Kind { IDENT, STRING, NUMBER, VARIABLE, PUNCT }

    private record Token(Kind kind, String text, int at) {
        boolean is(String punct) {
            return kind == Kind.PUNCT && text.equals(punct);
        }
    }

    /** Not starting with ':' (legal in a metric name, used by nobody) so {@code [1h:5m]} reads as a subquery. */
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_:]*");
    private static final Pattern NUMBER = Pattern.compile(
            "(?:\\d+(?:ms|s|m|h|d|w|y))+(?![a-zA-Z0-9_])|0[xX][0-9a-fA-F]+|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{[^}]+}|[a-zA-Z_][a-zA-Z0-9_]*)");
    private static final Pattern PUNCT = Pattern.compile("==|!=|<=|>=|=~|!~|[-+*/%^<>=(){}\\[\\],:@]");

    private PromQl() {
    }

    /** @throws IllegalArgumentException naming the position and what is wrong there */
    static Reading read(String expr) {
        List<Token> tokens = tokens(expr);
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new LinkedHashSet<>();
        Set<String> functions = new LinkedHashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            Token next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
            if (t.kind == Kind.IDENT) {
                String lower = t.text.toLowerCase(Locale.ROOT);
                if (GROUPING.contains(lower)) {
                    if (next != null && next.is("(")) {
                        i = labelList(tokens, i + 2, grouping, expr);
                    } else if (!lower.startsWith("group_")) {
                        throw error(expr, t, lower + " without a label list");
                    }
                } else if (KEYWORDS.contains(lower)) {
                    continue;
                } else if (AGGREGATIONS.contains(lower) && next != null
                        && (next.is("(") || next.kind == Kind.IDENT && GROUPING.contains(next.text.toLowerCase(Locale.ROOT)))) {
                    functions.add(lower);
                    if (UNSUPPORTED.contains(lower)) {
                        throw error(expr, t, lower + " makes labels out of strings, which this check cannot follow");
                    }
                } else if (next != null && next.is("(")) {
                    if (UNSUPPORTED.contains(t.text)) {
                        throw error(expr, t, t.text + " makes labels out of strings, which this check cannot follow");
                    }
                    if (!FUNCTIONS.contains(t.text)) {
                        throw error(expr, t, "unknown function " + t.text);
                    }
                    functions.add(t.text);
                } else {
                    List<LabelMatcher> matchers = new ArrayList<>();
                    if (next != null && next.is("{")) {
                        i = matchers(tokens, i + 2, matchers, expr);
                    }
                    selectors.add(new Selector(t.text, List.copyOf(matchers)));
                }
            } else if (t.is("{")) {
                List<LabelMatcher> matchers = new ArrayList<>();
                i = matchers(tokens, i + 1, matchers, expr);
                String name = matchers.stream().filter(m -> m.label.equals("__name__") && m.op.equals("="))
                        .map(LabelMatcher::value).findFirst()
                        .orElseThrow(() -> error(expr, t, "a selector without a metric name"));
                selectors.add(new Selector(name, matchers.stream().filter(m -> !m.label.equals("__name__")).toList()));
            } else if (t.is("[")) {
                i = skipRange(tokens, i + 1, expr, t);
            } else if (t.is("}") || t.is("]")) {
                throw error(expr, t, "'" + t.text + "' without its opening bracket");
            }
        }
        return new Reading(List.copyOf(selectors), Set.copyOf(grouping), Set.copyOf(functions));
    }

    /** Reads {@code a, b)} from {@code i}; returns the index of the closing parenthesis. */
    private static int labelList(List<Token> tokens, int i, Set<String> into, String expr) {
        for (; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.is(")")) {
                return i;
            }
            if (t.is(",")) {
                continue;
            }
            if (t.kind != Kind.IDENT) {
                throw error(expr, t, "expected a label name in a grouping list, not " + t.text);
            }
            into.add(t.text);
        }
        throw new IllegalArgumentException(expr + ": unterminated label list");
    }

    /** Reads {@code label op "value", ...}} from {@code i}; returns the index of the closing brace. */
    private static int matchers(List<Token> tokens, int i, List<LabelMatcher> into, String expr) {
        while (i < tokens.size()) {
            Token t = tokens.get(i);
            if (t.is("}")) {
                return i;
            }
            if (t.is(",")) {
                i++;
                continue;
            }
            if (t.kind != Kind.IDENT || i + 2 >= tokens.size()) {
                throw error(expr, t, "expected a label matcher, not " + t.text);
            }
            Token op = tokens.get(i + 1);
            Token value = tokens.get(i + 2);
            if (op.kind != Kind.PUNCT || !MATCH_OPS.contains(op.text)) {
                throw error(expr, op, "expected =, !=, =~ or !~ after label " + t.text);
            }
            if (value.kind != Kind.STRING) {
                throw error(expr, value, "the value of label " + t.text + " must be a string");
            }
            into.add(new LabelMatcher(t.text, op.text, value.text));
            i += 3;
        }
        throw new IllegalArgumentException(expr + ": unterminated label matchers");
    }

    /** Skips a range or subquery {@code [5m]}, {@code [$__rate_interval]}, {@code [1h:5m]}; returns the index of ']'. */
    private static int skipRange(List<Token> tokens, int i, String expr, Token open) {
        for (; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.is("]")) {
                return i;
            }
            if (t.kind != Kind.NUMBER && t.kind != Kind.VARIABLE && !t.is(":")) {
                throw error(expr, t, "a range holds durations, not " + t.text);
            }
        }
        throw error(expr, open, "unterminated range");
    }

    private static List<Token> tokens(String expr) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '#') { // a comment runs to the end of the line
                int end = expr.indexOf('\n', i);
                i = end < 0 ? expr.length() : end;
                continue;
            }
            if (c == '"' || c == '\'' || c == '`') {
                int j = i + 1;
                StringBuilder value = new StringBuilder();
                while (j < expr.length() && expr.charAt(j) != c) {
                    if (expr.charAt(j) == '\\' && c != '`' && j + 1 < expr.length()) {
                        j++;
                    }
                    value.append(expr.charAt(j));
                    j++;
                }
                if (j >= expr.length()) {
                    throw new IllegalArgumentException(expr + ": unterminated string at " + i);
                }
                out.add(new Token(Kind.STRING, value.toString(), i));
                i = j + 1;
                continue;
            }
            Token t = match(NUMBER, Kind.NUMBER, expr, i);
            if (t == null) {
                t = match(IDENT, Kind.IDENT, expr, i);
            }
            if (t == null) {
                t = match(VARIABLE, Kind.VARIABLE, expr, i);
            }
            if (t == null) {
                t = match(PUNCT, Kind.PUNCT, expr, i);
            }
            if (t == null) {
                throw new IllegalArgumentException(expr + ": unexpected character '" + c + "' at " + i);
            }
            out.add(t);
            i += t.text.length();
        }
        return out;
    }

    private static Token match(Pattern pattern, Kind kind, String expr, int at) {
        Matcher m = pattern.matcher(expr).region(at, expr.length());
        return m.lookingAt() ? new Token(kind, m.group(), at) : null;
    }

    private static IllegalArgumentException error(String expr, Token t, String what) {
        return new IllegalArgumentException(expr + ": at " + t.at + ": " + what);
    }
}
