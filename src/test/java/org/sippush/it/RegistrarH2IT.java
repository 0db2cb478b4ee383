package org.sippush.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sippush.testsupport.BindingRows;

/** The registrar on the default embedded H2 file database. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RegistrarH2IT extends RegistrarContract {

    private static String url;

    @Deployment(testable = false)
    static WebArchive deployment() {
        Deployments.openAccess();
        url = Deployments.useH2("registrar-h2");
        return Deployments.war();
    }

    @Override
    BindingRows rows() {
        return new BindingRows(url, "sa", "");
    }
}
