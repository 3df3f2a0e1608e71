package io.pvesync.store;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that hands out another's connections, each through {@link #wrap}, and passes
 * every other call to it unchanged: the base of wrappers that watch what is done with a pool's
 * connections (usually through a {@link java.lang.reflect.Proxy} of each) and leave the rest to the pool.
 */
public abstract class DelegatingDataSource implements DataSource {
    private final DataSource target;

    protected DelegatingDataSource(DataSource target) {
        this.target = target;
    }

    /** What a caller gets for {@code connection}, one of the target's: it, or a proxy that watches it. */
    protected abstract Connection wrap(Connection connection);

    /**
     * Calls {@code method} on {@code target}, for a proxy's invocation handler: what the call throws
     * is thrown as it is (the driver's own SQLException, as a caller would see it unwatched), not
     * wrapped by reflection.
     */
    protected static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(target.getConnection(username, password));
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return target.isWrapperFor(iface);
    }
}
