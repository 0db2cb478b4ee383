package org.sippush.infrastructure.persistence;

import java.util.UUID;

/** {@link GroupCommitContract} on H2 (in memory, one database per test). */
class GroupCommitTest extends GroupCommitContract {

    @Override
    Database openDatabase() {
        return Database.open("jdbc:h2:mem:group-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 4);
    }
}
