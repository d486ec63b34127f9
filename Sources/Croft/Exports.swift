@_exported import CroftHTTP
@_exported import Logging
