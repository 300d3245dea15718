package curagraph;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Starts a Neo4j server in this JVM for curagraph's tests.
 *
 * Arguments: PORT PASSWORD WORK_DIR TX_TIMEOUT_SECONDS [COPY_FROM]. Bolt listens on 127.0.0.1:PORT, auth is on
 * (user neo4j, the given password), file URLs for LOAD CSV are refused, transactions time out.
 * Prints "READY bolt://127.0.0.1:PORT" and "HOME <dir>" once it accepts connections; stops on
 * SIGTERM. The harness makes a fresh home under WORK_DIR on every start; COPY_FROM, a former home
 * (printed by an earlier run), seeds the new one: its store files and transaction logs, which
 * recovery replays on start, and its users.
 */
public final class Neo4jTestServer {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String password = args[1];
        Path dataDir = Path.of(args[2]);
        long txTimeout = Long.parseLong(args[3]);

        var builder = Neo4jBuilders.newInProcessBuilder(dataDir);
        if (args.length > 4) {
            builder = builder.copyFrom(Path.of(args[4]));
        }
        Neo4j neo4j = builder
                .withDisabledServer()
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .withConfig(GraphDatabaseSettings.auth_enabled, true)
                .withConfig(GraphDatabaseSettings.allow_file_urls, false)
                .withConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeout))
                .build();
        if (args.length <= 4) { // a copied home keeps the password it had
            neo4j.databaseManagementService()
                    .database("system")
                    .executeTransactionally(
                            "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            neo4j.close();
            stopped.countDown();
        }));
        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.println("HOME " + neo4j.config().get(org.neo4j.configuration.GraphDatabaseSettings.neo4j_home));
        System.out.flush();
        stopped.await();
    }
}
