-- contactd schema, part 3: contacts found by their identifier in one descent.
--
-- Most batch items select their contact by its identifier (SPEC §6). Through contact_keys that is two
-- descents, the claim's and then the contact's primary key's; through this index it is one, straight to the
-- row. The identifier never changes once set, so updates stay HOT. Not unique: uniqueness is the claims'
-- (the identifier is always one of its contact's claims), and a second authority could only disagree.
CREATE INDEX contacts_by_identifier ON contacts (workspace_id, identifier);
