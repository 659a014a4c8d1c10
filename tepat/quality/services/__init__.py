"""Every write of the quality app: runs (`runs`), flags and their review (`flags`), lists (`lists`)."""
