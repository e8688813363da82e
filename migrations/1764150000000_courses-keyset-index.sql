-- Up Migration
-- GET /api/v1/courses pages by keyset on (created_at, id): this index keeps every page an index range scan.
CREATE INDEX courses_created_at_id ON courses (created_at, id);

-- Down Migration
DROP INDEX courses_created_at_id;
