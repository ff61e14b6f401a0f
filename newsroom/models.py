"""No tables. The module exists so Django sends post_migrate for this app (also after a test
database flush), which is when NewsroomConfig re-syncs the Editors and Moderators roles."""
