package org.sippush.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sippush.testsupport.BindingRows;
import org.sippush.testsupport.PostgresServer;

/** The registrar on a real PostgreSQL server (Debian's package, started privately for the tests). */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RegistrarPostgresIT extends RegistrarContract {

    private static PostgresServer postgres;

    @Deployment(testable = false)
    static WebArchive deployment() {
        postgres = PostgresServer.shared();
        Deployments.openAccess();
        Deployments.useDatabase(postgres.jdbcUrl(), postgres.user(), postgres.password());
        return Deployments.war();
    }

    @Override
    BindingRows rows() {
        return new BindingRows(postgres.jdbcUrl(), postgres.user(), postgres.password());
    }
}
