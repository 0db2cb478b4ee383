package org.sippush.infrastructure.persistence;

import org.sippush.testsupport.PostgresServer;

/**
 * {@link GroupCommitContract} on PostgreSQL (a private server on a free port): the batch's row
 * locks ({@code select ... for update} of many users at once) and JDBC batches there.
 */
class GroupCommitPostgresIT extends GroupCommitContract {

    @Override
    Database openDatabase() {
        PostgresServer postgres = PostgresServer.shared();
        return Database.open(postgres.jdbcUrl(), postgres.user(), postgres.password(), 4);
    }
}
