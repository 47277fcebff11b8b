# sqlcipher3 is Python's sqlite3 module built against SQLCipher: the same DB-API, so its types
# are declared as sqlite3's (the part vrmdesk uses).
from sqlite3 import Connection as Connection
from sqlite3 import Cursor as Cursor
from sqlite3 import DatabaseError as DatabaseError
from sqlite3 import Error as Error
from sqlite3 import OperationalError as OperationalError
from sqlite3 import connect as connect
from sqlite3 import sqlite_version as sqlite_version
