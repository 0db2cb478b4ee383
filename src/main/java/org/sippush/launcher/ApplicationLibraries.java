package org.sippush.launcher;

import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleListener;
import org.apache.catalina.loader.VirtualWebappLoader;

/**
 * Gives the application its libraries from a folder outside it ({@code app-lib/} of the standalone
 * server) instead of {@code WEB-INF/lib} (a {@code <Listener>} of the application's
 * {@code <Context>}, in its {@code META-INF/context.xml}).
 * <p>
 * Why: at every start Restcomm's annotation scanner ({@code ClassFileScanner}) defines every class
 * of every jar in the application's folder (~28,000 classes with Hibernate, Netty, Firebase and
 * the rest), most of a start's CPU. Kept outside, the scanner sees only the application's own
 * classes, where its {@code @SipApplicationKey} is; the application's class loader reads the jars
 * as it would from {@code WEB-INF/lib}, searching them first as it would those.
 * <p>
 * Set before each start, not once in {@code context.xml}: Restcomm's context drops its loader when
 * it stops and makes a plain one at the next start (a stop and start from the admin console would
 * lose the libraries).
 */
public final class ApplicationLibraries implements LifecycleListener {

    private String directory;

    /** The folder of the application's jars (Tomcat replaces {@code ${catalina.base}} in the attribute). */
    public void setDirectory(String directory) {
        this.directory = directory;
    }

    @Override
    public void lifecycleEvent(LifecycleEvent event) {
        if (!Lifecycle.BEFORE_START_EVENT.equals(event.getType()) || !(event.getLifecycle() instanceof Context context)
                || context.getLoader() instanceof VirtualWebappLoader) {
            return;
        }
        if (directory == null || directory.isBlank()) {
            throw new IllegalStateException("ApplicationLibraries needs a directory attribute");
        }
        VirtualWebappLoader loader = new VirtualWebappLoader(context.getParentClassLoader());
        loader.setVirtualClasspath(directory + "/*.jar");
        loader.setSearchVirtualFirst(true);
        if (context instanceof org.apache.catalina.core.StandardContext standard) {
            loader.setDelegate(standard.getDelegate());  // as the loader Restcomm would make
        }
        context.setLoader(loader);
    }
}
