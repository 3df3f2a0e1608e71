package io.pvesync.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Wraps a DataSource and counts the SQL statements sent through it: every {@code execute*} call
 * and every {@code addBatch} (a JDBC batch still sends one statement per row).
 */
final class CountingDataSource {
    private final AtomicInteger statements = new AtomicInteger();
    private final DataSource wrapped;

    CountingDataSource(DataSource target) {
        this.wrapped = proxy(DataSource.class, target);
    }

    DataSource dataSource() {
        return wrapped;
    }

    /** Statements sent since the last call. */
    int take() {
        return statements.getAndSet(0);
    }

    @SuppressWarnings("unchecked")
    private <T> T proxy(Class<T> type, T target) {
        InvocationHandler handler = (p, method, args) -> {
            String name = method.getName();
            if (target instanceof Statement && (name.startsWith("execute") || name.equals("addBatch"))) {
                statements.incrementAndGet();
            }
            Object result = invoke(method, target, args);
            if (result instanceof Connection c) {
                return proxy(Connection.class, c);
            }
            if (result instanceof Statement s) {
                return proxy((Class<Statement>) method.getReturnType(), s);
            }
            return result;
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
