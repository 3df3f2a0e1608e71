package io.pvesync.config;

/** The smallest config file that loads: a database and one cluster. Tests append the section they pin. */
final class MinimalConfig {
    static final String YAML = """
            database:
              url: jdbc:postgresql://127.0.0.1:5432/accountdb
              username: pvesync
            clusters:
              - name: lab
                endpoints: ["https://pve1:8006"]
                token-id: "pvesync@pve!inventory"
                token-secret: "abc"
            """;

    private MinimalConfig() {
    }
}
