package io.pvesync.bench;

import io.pvesync.store.DelegatingDataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that counts the SQL statements sent through it: every {@code execute*} call
 * of a {@link Statement} (prepared or not) is one, {@code executeBatch} included (one round trip).
 * Commits and rollbacks are counted apart, as transactions.
 */
final class StatementCounter extends DelegatingDataSource {
    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();

    StatementCounter(DataSource target) {
        super(target);
    }

    long statements() {
        return statements.get();
    }

    long transactions() {
        return transactions.get();
    }

    @Override
    protected Connection wrap(Connection c) {
        InvocationHandler handler = (proxy, method, args) -> {
            String name = method.getName();
            if (name.equals("commit") || name.equals("rollback")) {
                transactions.incrementAndGet();
            }
            Object result = invoke(c, method, args);
            if (result instanceof Statement st && (name.startsWith("prepare") || name.equals("createStatement"))) {
                return statement(st, method.getReturnType());
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
    }

    private Object statement(Statement st, Class<?> type) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().startsWith("execute")) {
                statements.incrementAndGet();
            }
            return invoke(st, method, args);
        };
        return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {type}, handler);
    }
}
