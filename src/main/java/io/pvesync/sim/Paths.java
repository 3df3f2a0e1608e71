package io.pvesync.sim;

/** The API root and paths relative to it. */
final class Paths {

    static final String API_ROOT = "/api2/json";

    private Paths() {
    }

    /** {@code /api2/json/cluster/resources} and {@code /cluster/resources} both give the latter. */
    static String relative(String path) {
        if (path.startsWith(API_ROOT + "/") || path.equals(API_ROOT)) {
            String rest = path.substring(API_ROOT.length());
            return rest.isEmpty() ? "/" : rest;
        }
        return path;
    }
}
