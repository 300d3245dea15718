package curagraph;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Starts a Neo4j 5 Community DBMS in this JVM for curagraph's tests and development.
 *
 * <p>Arguments: PORT PASSWORD HOME TX_TIMEOUT_SECONDS. Bolt listens on 127.0.0.1:PORT, auth is on
 * (user neo4j), file URLs for LOAD CSV are refused, transactions time out. HOME is the DBMS home:
 * on the first start it is created and the password set; a later start on the same HOME recovers
 * from the transaction log (every transaction committed before a crash or SIGKILL is there) and keeps
 * the password it had. Prints "READY bolt://127.0.0.1:PORT" and "HOME dir" once it accepts
 * connections; shuts down cleanly on SIGTERM.
 */
public final class Neo4jTestServer {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: Neo4jTestServer PORT PASSWORD HOME TX_TIMEOUT_SECONDS");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        String password = args[1];
        Path home = Path.of(args[2]).toAbsolutePath();
        long txTimeout = Long.parseLong(args[3]);
        boolean fresh = !Files.exists(home.resolve("data"));

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeout))
                // one query's memory is bounded (a 15M-element list fails cleanly instead of
                // filling the heap); a write batch of 10,000 examples needs well under this
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size, 1024L * 1024 * 1024)
                .build();
        if (fresh) {
            dbms.database("system")
                    .executeTransactionally(
                            "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }));
        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.println("HOME " + home);
        System.out.flush();
        stopped.await();
    }
}
