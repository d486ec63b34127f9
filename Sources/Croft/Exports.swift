@_exported import CroftHTTP
@_exported import Logging
@_exported import CroftTemplates
@_exported import CroftSQL
@_exported import CroftCore
