//! The ERR constants and message texts, transcribed from Parasol's `errors.h` / `data_errors.cpp`
//! (reference §8). `tests/err_table.rs` checks every number, name and message against
//! `tests/data/err_table.md`, a verbatim copy of the reference table.

use super::ERR;

#[allow(non_upper_case_globals)]
impl ERR {
    /// Operation successful.
    pub const Okay: ERR = ERR(0);
    /// Operation successful. Alias of [`ERR::Okay`].
    pub const True: ERR = ERR(0);
    /// The result is false.
    pub const False: ERR = ERR(1);
    /// Limited success.
    pub const LimitedSuccess: ERR = ERR(2);
    /// Operation cancelled.
    pub const Cancelled: ERR = ERR(3);
    /// There is nothing to process.
    pub const NothingDone: ERR = ERR(4);
    /// Please continue processing.
    pub const Continue: ERR = ERR(5);
    /// Skip this operation.
    pub const Skip: ERR = ERR(6);
    /// Retry the operation (could not succeed at this time).
    pub const Retry: ERR = ERR(7);
    /// The folder is empty.
    pub const DirEmpty: ERR = ERR(8);
    /// Termination requested.
    pub const Terminate: ERR = ERR(9);
    /// Termination requested. Alias of [`ERR::Terminate`].
    pub const ExceptionThreshold: ERR = ERR(9);
    /// Not enough memory available.
    pub const NoMemory: ERR = ERR(10);
    /// Required pointer not present.
    pub const NoPointer: ERR = ERR(11);
    /// Resource is in use.
    pub const InUse: ERR = ERR(12);
    /// General failure.
    pub const Failed: ERR = ERR(13);
    /// File error, e.g. file not found.
    pub const File: ERR = ERR(14);
    /// There is an error in the provided data.
    pub const InvalidData: ERR = ERR(15);
    /// A search routine in this function failed.
    pub const Search: ERR = ERR(16);
    /// A search routine in this function failed. Alias of [`ERR::Search`].
    pub const NotFound: ERR = ERR(16);
    /// Trouble initialising/using a module.
    pub const InitModule: ERR = ERR(17);
    /// File not found.
    pub const FileNotFound: ERR = ERR(18);
    /// File not found. Alias of [`ERR::FileNotFound`].
    pub const FileDoesNotExist: ERR = ERR(18);
    /// Wrong version, or version not supported.
    pub const WrongVersion: ERR = ERR(19);
    /// Invalid arguments passed to function.
    pub const Args: ERR = ERR(20);
    /// No data is available for use.
    pub const NoData: ERR = ERR(21);
    /// Error reading data.
    pub const Read: ERR = ERR(22);
    /// Error writing data.
    pub const Write: ERR = ERR(23);
    /// Failed to lock a required resource.
    pub const LockFailed: ERR = ERR(24);
    /// Failed to lock a required resource. Alias of [`ERR::LockFailed`].
    pub const Lock: ERR = ERR(24);
    /// Could not examine folder or file.
    pub const ExamineFailed: ERR = ERR(25);
    /// The object has lost its class reference.
    pub const LostClass: ERR = ERR(26);
    /// The object does not support this operation.
    pub const NoAction: ERR = ERR(27);
    /// Operation not supported.
    pub const NoSupport: ERR = ERR(28);
    /// General memory error.
    pub const Memory: ERR = ERR(29);
    /// Function timed-out before successful completion.
    pub const Timeout: ERR = ERR(30);
    /// Function timed-out before successful completion. Alias of [`ERR::Timeout`].
    pub const TimeOut: ERR = ERR(30);
    /// This object has lost its stats structure.
    pub const NoStats: ERR = ERR(31);
    /// Array is at low capacity.
    pub const LowCapacity: ERR = ERR(32);
    /// Error in Init()ialising an object.
    pub const Init: ERR = ERR(33);
    /// General security violation.
    pub const NoPermission: ERR = ERR(34);
    /// General security violation. Alias of [`ERR::NoPermission`].
    pub const Permissions: ERR = ERR(34);
    /// General security violation. Alias of [`ERR::NoPermission`].
    pub const PermissionDenied: ERR = ERR(34);
    /// System corruption detected.
    pub const SystemCorrupt: ERR = ERR(35);
    /// A container is needed to operate correctly.
    pub const NeedOwner: ERR = ERR(36);
    /// Container needs a Bitmap field.
    pub const OwnerNeedsBitmap: ERR = ERR(37);
    /// A newer version of the Core is required.
    pub const CoreVersion: ERR = ERR(38);
    /// The Width and/or Height field values need to be set.
    pub const NeedWidthHeight: ERR = ERR(39);
    /// Module validation has failed.
    pub const ModuleValidation: ERR = ERR(40);
    /// Process creation has failed.
    pub const ProcessCreation: ERR = ERR(41);
    /// Class name not provided.
    pub const MissingClassName: ERR = ERR(42);
    /// A value is outside of the valid range.
    pub const OutOfRange: ERR = ERR(43);
    /// A call to ObtainMethod() failed.
    pub const ObtainMethod: ERR = ERR(44);
    /// Array has reached capacity and cannot be expanded.
    pub const ArrayFull: ERR = ERR(45);
    /// Attempt to Query() failed.
    pub const Query: ERR = ERR(46);
    /// The object has lost its container.
    pub const LostOwner: ERR = ERR(47);
    /// Do not expunge yet.
    pub const DoNotExpunge: ERR = ERR(48);
    /// The memory block is corrupt.
    pub const MemoryCorrupt: ERR = ERR(49);
    /// Requested field not found.
    pub const FieldSearch: ERR = ERR(50);
    /// Invalid file or folder path detected.
    pub const InvalidPath: ERR = ERR(51);
    /// An unspecific error occurred during a SetField() operation.
    pub const SetField: ERR = ERR(52);
    /// A resource cannot be accessed as it is marked for deletion.
    pub const MarkedForDeletion: ERR = ERR(53);
    /// Illegal method ID (outside of valid range).
    pub const IllegalMethodID: ERR = ERR(54);
    /// Illegal action ID (outside of valid range).
    pub const IllegalActionID: ERR = ERR(55);
    /// Module failed in its Open routine.
    pub const ModuleOpenFailed: ERR = ERR(56);
    /// DEPRECATED.
    pub const IllegalActionAttempt: ERR = ERR(57);
    /// The ModEntry->Header is missing.
    pub const EntryMissingHeader: ERR = ERR(58);
    /// Module has not defined support for Init().
    pub const ModuleMissingInit: ERR = ERR(59);
    /// Module failed its Initialisation routine.
    pub const ModuleInitFailed: ERR = ERR(60);
    /// Memory block does not exist.
    pub const MemoryDoesNotExist: ERR = ERR(61);
    /// Dead-lock detected - procedure aborted.
    pub const DeadLock: ERR = ERR(62);
    /// Part of the system is unreachable due to a persistent lock.
    pub const SystemLocked: ERR = ERR(63);
    /// Module has not declared an official name.
    pub const ModuleMissingName: ERR = ERR(64);
    /// An error occurred while creating a new class.
    pub const AddClass: ERR = ERR(65);
    /// Error while Activate()ing an object.
    pub const Activate: ERR = ERR(66);
    /// Warning - Attempt to initialise a resource twice.
    pub const DoubleInit: ERR = ERR(67);
    /// A required field value is undefined.
    pub const UndefinedField: ERR = ERR(68);
    /// A required field value is undefined. Alias of [`ERR::UndefinedField`].
    pub const FieldNotSet: ERR = ERR(68);
    /// The class could not be found in the system.
    pub const MissingClass: ERR = ERR(69);
    /// The File flag FL::READ was not set on initialisation.
    pub const FileReadFlag: ERR = ERR(70);
    /// The File flag FL::WRITE was not set on initialisation.
    pub const FileWriteFlag: ERR = ERR(71);
    /// An error occurred while drawing the object.
    pub const Draw: ERR = ERR(72);
    /// The class does not export any methods.
    pub const NoMethods: ERR = ERR(73);
    /// No matching object was found for the given object ID.
    pub const NoMatchingObject: ERR = ERR(74);
    /// Access to a memory block was denied.
    pub const AccessMemory: ERR = ERR(75);
    /// The object is missing a path reference.
    pub const MissingPath: ERR = ERR(76);
    /// A lock was expected but not found.
    pub const ResourceNotLocked: ERR = ERR(77);
    /// The search yielded no results.
    pub const NoSearchResult: ERR = ERR(78);
    /// The tested statement was not satisfied.
    pub const StatementUnsatisfied: ERR = ERR(79);
    /// The object structure is corrupt or has not been initialised.
    pub const ObjectCorrupt: ERR = ERR(80);
    /// Container pass through notification.
    pub const OwnerPassThrough: ERR = ERR(81);
    /// The owner is not supported by this object.
    pub const UnsupportedOwner: ERR = ERR(82);
    /// Attempting to lock an object failed.
    pub const ExclusiveDenied: ERR = ERR(83);
    /// Attempting to lock an object failed. Alias of [`ERR::ExclusiveDenied`].
    pub const AccessObject: ERR = ERR(83);
    /// AllocMemory() failed to create a new memory block.
    pub const AllocMemory: ERR = ERR(84);
    /// NewObject() failed to produce a new object.
    pub const NewObject: ERR = ERR(85);
    /// GetField() failed to retrieve a field value.
    pub const GetField: ERR = ERR(86);
    /// Access to a field was denied.
    pub const NoFieldAccess: ERR = ERR(87);
    /// ResolvePath() failed to resolve the path because it is a virtual reference.
    pub const VirtualVolume: ERR = ERR(88);
    /// A dimension specification is invalid.
    pub const InvalidDimension: ERR = ERR(89);
    /// Field type mismatch while getting or setting a field.
    pub const FieldTypeMismatch: ERR = ERR(90);
    /// A field type ID (e.g. INT, FLOAT) is not recognised.
    pub const UnrecognisedFieldType: ERR = ERR(91);
    /// A buffer overflow has occurred.
    pub const BufferOverflow: ERR = ERR(92);
    /// The specified field is not supported by the object's class.
    pub const UnsupportedField: ERR = ERR(93);
    /// A mis-match has been detected that prevents further processing.
    pub const Mismatch: ERR = ERR(94);
    /// Out-of-bounds access denied.
    pub const OutOfBounds: ERR = ERR(95);
    /// An error occurred during a seek operation.
    pub const Seek: ERR = ERR(96);
    /// The reallocation of a memory block failed.
    pub const ReallocMemory: ERR = ERR(97);
    /// An infinite loop was detected.
    pub const Loop: ERR = ERR(98);
    /// The destination file or folder already exists.
    pub const FileExists: ERR = ERR(99);
    /// A volume could not be resolved.
    pub const ResolvePath: ERR = ERR(100);
    /// A call to CreateObject() failed.
    pub const CreateObject: ERR = ERR(101);
    /// Failed to obtain information on a memory block (MemoryInfo() failed).
    pub const MemoryInfo: ERR = ERR(102);
    /// The resource has not been initialised.
    pub const NotInitialised: ERR = ERR(103);
    /// A new resource could not be created because a matching resource exists.
    pub const ResourceExists: ERR = ERR(104);
    /// An attempt to Refresh() an object failed.
    pub const Refresh: ERR = ERR(105);
    /// An error occurred in a call to ListChildren().
    pub const ListChildren: ERR = ERR(106);
    /// A call to the host system has failed.
    pub const SystemCall: ERR = ERR(107);
    /// The size of the mask is smaller than the source Bitmap's dimensions.
    pub const SmallMask: ERR = ERR(108);
    /// A required string value contains no characters.
    pub const EmptyString: ERR = ERR(109);
    /// Object exists.
    pub const ObjectExists: ERR = ERR(110);
    /// The operation expected a path to a file.
    pub const ExpectedFile: ERR = ERR(111);
    /// Failure during the resize of an object.
    pub const Resize: ERR = ERR(112);
    /// Failure during the redimensioning of an object.
    pub const Redimension: ERR = ERR(113);
    /// A semaphore operation failed.
    pub const SemaphoreOperation: ERR = ERR(114);
    /// Field validation failed.
    pub const FieldValidation: ERR = ERR(115);
    /// A new file could not be created.
    pub const CreateFile: ERR = ERR(116);
    /// Deletion of a folder or file failed (e.g. permissions, read-only media).
    pub const DeleteFile: ERR = ERR(117);
    /// The file could not be opened.
    pub const OpenFile: ERR = ERR(118);
    /// A delete or write operation failed due to read-only status.
    pub const ReadOnly: ERR = ERR(119);
    /// Resource does not exist.
    pub const DoesNotExist: ERR = ERR(120);
    /// The destination path is the same as the source path.
    pub const IdenticalPaths: ERR = ERR(121);
    /// Resource exists.
    pub const Exists: ERR = ERR(122);
    /// A sanity check failed.
    pub const SanityFailure: ERR = ERR(123);
    /// Out of space.  There is no available room to complete the request.
    pub const OutOfSpace: ERR = ERR(124);
    /// GetSurfaceInfo() failed.
    pub const GetSurfaceInfo: ERR = ERR(125);
    /// Operation finished.
    pub const Finished: ERR = ERR(126);
    /// Operation finished. Alias of [`ERR::Finished`].
    pub const EndOfFile: ERR = ERR(126);
    /// Operation finished. Alias of [`ERR::Finished`].
    pub const OutOfData: ERR = ERR(126);
    /// Invalid syntax detected.
    pub const Syntax: ERR = ERR(127);
    /// Invalid syntax detected. Alias of [`ERR::Syntax`].
    pub const StringFormat: ERR = ERR(127);
    /// Object was in an incorrect state for the operation.
    pub const InvalidState: ERR = ERR(128);
    /// The Internet host name could not be resolved.
    pub const HostNotFound: ERR = ERR(129);
    /// Invalid Uniform Resource Identifier.
    pub const InvalidURI: ERR = ERR(130);
    /// The remote host refused the connection.
    pub const ConnectionRefused: ERR = ERR(131);
    /// The network was unreachable.
    pub const NetworkUnreachable: ERR = ERR(132);
    /// No route to host.
    pub const HostUnreachable: ERR = ERR(133);
    /// The connection between client and server was terminated.
    pub const Disconnected: ERR = ERR(134);
    /// Task/Process still exists and is running.
    pub const TaskStillExists: ERR = ERR(135);
    /// Referential integrity / constraint violation.
    pub const IntegrityViolation: ERR = ERR(136);
    /// Referential integrity / constraint violation. Alias of [`ERR::IntegrityViolation`].
    pub const ConstraintViolation: ERR = ERR(136);
    /// Record changes would violate the DB schema.
    pub const SchemaViolation: ERR = ERR(137);
    /// The size of a data chunk or buffer is incorrect.
    pub const DataSize: ERR = ERR(138);
    /// Operation cannot complete because system is busy with an earlier operation.
    pub const Busy: ERR = ERR(139);
    /// Attempt to connect to server aborted.
    pub const ConnectionAborted: ERR = ERR(140);
    /// Function call missing argument value(s)
    pub const NullArgs: ERR = ERR(141);
    /// An object is not of the required type.
    pub const InvalidObject: ERR = ERR(142);
    /// An object is not of the required type. Alias of [`ERR::InvalidObject`].
    pub const WrongObjectType: ERR = ERR(142);
    /// An object is not of the required type. Alias of [`ERR::InvalidObject`].
    pub const WrongClass: ERR = ERR(142);
    /// Execution violation - function must be called from the task that owns the object.
    pub const ExecViolation: ERR = ERR(143);
    /// Detected a recursive function call.
    pub const Recursion: ERR = ERR(144);
    /// Address pointer is outside of the task's memory map.
    pub const IllegalAddress: ERR = ERR(145);
    /// The XML tags do not balance.
    pub const UnbalancedXML: ERR = ERR(146);
    /// Requested operation would block if performed at this time.
    pub const WouldBlock: ERR = ERR(147);
    /// Unspecified I/O error.
    pub const InputOutput: ERR = ERR(148);
    /// Failed to load a module binary.
    pub const LoadModule: ERR = ERR(149);
    /// A required handle is invalid.
    pub const InvalidHandle: ERR = ERR(150);
    /// Unspecified security violation.
    pub const Security: ERR = ERR(151);
    /// A required value was not within expected constraints.
    pub const InvalidValue: ERR = ERR(152);
    /// The required service is not available.
    pub const ServiceUnavailable: ERR = ERR(153);
    /// The object must be activated with the Activate action.
    pub const Deactivated: ERR = ERR(154);
    /// A lock is required before accessing this functionality.
    pub const LockRequired: ERR = ERR(155);
    /// Object or resource has already been locked.
    pub const AlreadyLocked: ERR = ERR(156);
    /// Object or resource has already been locked. Alias of [`ERR::AlreadyLocked`].
    pub const Locked: ERR = ERR(156);
    /// No media is inserted in the device.
    pub const NoMediaInserted: ERR = ERR(157);
    /// The requested smart card reader is in use.
    pub const CardReaderUnavailable: ERR = ERR(158);
    /// Failed to establish an SSL connection with the proxy server.
    pub const ProxySSLTunnel: ERR = ERR(159);
    /// A valid HTTP response was not received from the server.
    pub const InvalidHTTPResponse: ERR = ERR(160);
    /// The reference is invalid.
    pub const InvalidReference: ERR = ERR(161);
    /// An exception was caught.
    pub const Exception: ERR = ERR(162);
    /// Cannot execute a thread that is already running.
    pub const ThreadAlreadyActive: ERR = ERR(163);
    /// Failure reported from OpenGL.
    pub const OpenGL: ERR = ERR(164);
    /// Operation permitted from the main thread only.
    pub const OutsideMainThread: ERR = ERR(165);
    /// Requested to use a registered sub-class (not an error).
    pub const UseSubClass: ERR = ERR(166);
    /// The expected type was not provided.
    pub const WrongType: ERR = ERR(167);
    /// Thread objects must be locked prior to activation.
    pub const ThreadNotLocked: ERR = ERR(168);
    /// A message queue operation has failed.
    pub const MessageOperation: ERR = ERR(169);
    /// A call to SetVolume() failed.
    pub const SetVolume: ERR = ERR(170);
    /// Unspecified failure during decompression of a data stream.
    pub const Decompression: ERR = ERR(171);
    /// Unspecified failure during compression of a data stream.
    pub const Compression: ERR = ERR(172);
    /// The operation expected a folder path.
    pub const ExpectedFolder: ERR = ERR(173);
    /// This operation would violate the object's immutable status.
    pub const Immutable: ERR = ERR(174);
    /// A call to ReadFileToBuffer() failed.
    pub const ReadFileToBuffer: ERR = ERR(175);
    /// This feature is no longer available (obsolete).
    pub const Obsolete: ERR = ERR(176);
    /// Failed to create a new resource.
    pub const CreateResource: ERR = ERR(177);
    /// It is not possible to perform the requested operation.
    pub const NotPossible: ERR = ERR(178);
    /// Failed to resolve a linked library symbol.
    pub const ResolveSymbol: ERR = ERR(179);
    /// A function call failed.
    pub const Function: ERR = ERR(180);
    /// Attempted to change a value that cannot be redefined.
    pub const AlreadyDefined: ERR = ERR(181);
    /// Attempted to set a numeric field with an incompatible value.
    pub const SetValueNotNumeric: ERR = ERR(182);
    /// Attempted to set a string field with an incompatible value.
    pub const SetValueNotString: ERR = ERR(183);
    /// Attempted to set an object field with an incompatible value.
    pub const SetValueNotObject: ERR = ERR(184);
    /// Attempted to set a function field with an incompatible value.
    pub const SetValueNotFunction: ERR = ERR(185);
    /// Attempted to set a pointer field with an incompatible value.
    pub const SetValueNotPointer: ERR = ERR(186);
    /// Attempted to set an array field with an incompatible value.
    pub const SetValueNotArray: ERR = ERR(187);
    /// Attempted to set a lookup field with an incompatible value.
    pub const SetValueNotLookup: ERR = ERR(188);
    /// The type of a value is invalid.
    pub const InvalidType: ERR = ERR(189);
    /// A compression stream operation has failed.
    pub const CompressionStreamError: ERR = ERR(190);
    /// Task or process execution has failed.
    pub const TaskExecutionFailed: ERR = ERR(191);
    /// The compression data is invalid or corrupted.
    pub const InvalidCompression: ERR = ERR(192);
    /// A sanity check has failed.
    pub const SanityCheckFailed: ERR = ERR(193);
    /// Client is not authorised to perform this operation.
    pub const NotAuthorised: ERR = ERR(194);
    /// The specified property is not recognised.
    pub const UnknownProperty: ERR = ERR(195);
    /// Size of the error table (not an error).
    pub const END: ERR = ERR(196);
    /// Flag OR'd into an action result when the routine notified subscribers itself.
    pub const Notified: ERR = ERR(0x40000000);
}

/// Message text of every code below [`ERR::END`], indexed by the code.
pub(super) const MESSAGES: [&str; 196] = [
    "Operation successful.",
    "The result is false.",
    "Limited success.",
    "Operation cancelled.",
    "There is nothing to process.",
    "Please continue processing.",
    "Skip this operation.",
    "Retry the operation (could not succeed at this time).",
    "The folder is empty.",
    "Termination requested.",
    "Not enough memory available.",
    "Required pointer not present.",
    "Resource is in use.",
    "General failure.",
    "File error, e.g. file not found.",
    "There is an error in the provided data.",
    "A search routine in this function failed.",
    "Trouble initialising/using a module.",
    "File not found.",
    "Wrong version, or version not supported.",
    "Invalid arguments passed to function.",
    "No data is available for use.",
    "Error reading data.",
    "Error writing data.",
    "Failed to lock a required resource.",
    "Could not examine folder or file.",
    "The object has lost its class reference.",
    "The object does not support this operation.",
    "Operation not supported.",
    "General memory error.",
    "Function timed-out before successful completion.",
    "This object has lost its stats structure.",
    "Array is at low capacity.",
    "Error in Init()ialising an object.",
    "General security violation.",
    "System corruption detected.",
    "A container is needed to operate correctly.",
    "Container needs a Bitmap field.",
    "A newer version of the Core is required.",
    "The Width and/or Height field values need to be set.",
    "Module validation has failed.",
    "Process creation has failed.",
    "Class name not provided.",
    "A value is outside of the valid range.",
    "A call to ObtainMethod() failed.",
    "Array has reached capacity and cannot be expanded.",
    "Attempt to Query() failed.",
    "The object has lost its container.",
    "Do not expunge yet.",
    "The memory block is corrupt.",
    "Requested field not found.",
    "Invalid file or folder path detected.",
    "An unspecific error occurred during a SetField() operation.",
    "A resource cannot be accessed as it is marked for deletion.",
    "Illegal method ID (outside of valid range).",
    "Illegal action ID (outside of valid range).",
    "Module failed in its Open routine.",
    "DEPRECATED.",
    "The ModEntry->Header is missing.",
    "Module has not defined support for Init().",
    "Module failed its Initialisation routine.",
    "Memory block does not exist.",
    "Dead-lock detected - procedure aborted.",
    "Part of the system is unreachable due to a persistent lock.",
    "Module has not declared an official name.",
    "An error occurred while creating a new class.",
    "Error while Activate()ing an object.",
    "Warning - Attempt to initialise a resource twice.",
    "A required field value is undefined.",
    "The class could not be found in the system.",
    "The File flag FL::READ was not set on initialisation.",
    "The File flag FL::WRITE was not set on initialisation.",
    "An error occurred while drawing the object.",
    "The class does not export any methods.",
    "No matching object was found for the given object ID.",
    "Access to a memory block was denied.",
    "The object is missing a path reference.",
    "A lock was expected but not found.",
    "The search yielded no results.",
    "The tested statement was not satisfied.",
    "The object structure is corrupt or has not been initialised.",
    "Container pass through notification.",
    "The owner is not supported by this object.",
    "Attempting to lock an object failed.",
    "AllocMemory() failed to create a new memory block.",
    "NewObject() failed to produce a new object.",
    "GetField() failed to retrieve a field value.",
    "Access to a field was denied.",
    "ResolvePath() failed to resolve the path because it is a virtual reference.",
    "A dimension specification is invalid.",
    "Field type mismatch while getting or setting a field.",
    "A field type ID (e.g. INT, FLOAT) is not recognised.",
    "A buffer overflow has occurred.",
    "The specified field is not supported by the object's class.",
    "A mis-match has been detected that prevents further processing.",
    "Out-of-bounds access denied.",
    "An error occurred during a seek operation.",
    "The reallocation of a memory block failed.",
    "An infinite loop was detected.",
    "The destination file or folder already exists.",
    "A volume could not be resolved.",
    "A call to CreateObject() failed.",
    "Failed to obtain information on a memory block (MemoryInfo() failed).",
    "The resource has not been initialised.",
    "A new resource could not be created because a matching resource exists.",
    "An attempt to Refresh() an object failed.",
    "An error occurred in a call to ListChildren().",
    "A call to the host system has failed.",
    "The size of the mask is smaller than the source Bitmap's dimensions.",
    "A required string value contains no characters.",
    "Object exists.",
    "The operation expected a path to a file.",
    "Failure during the resize of an object.",
    "Failure during the redimensioning of an object.",
    "A semaphore operation failed.",
    "Field validation failed.",
    "A new file could not be created.",
    "Deletion of a folder or file failed (e.g. permissions, read-only media).",
    "The file could not be opened.",
    "A delete or write operation failed due to read-only status.",
    "Resource does not exist.",
    "The destination path is the same as the source path.",
    "Resource exists.",
    "A sanity check failed.",
    "Out of space.  There is no available room to complete the request.",
    "GetSurfaceInfo() failed.",
    "Operation finished.",
    "Invalid syntax detected.",
    "Object was in an incorrect state for the operation.",
    "The Internet host name could not be resolved.",
    "Invalid Uniform Resource Identifier.",
    "The remote host refused the connection.",
    "The network was unreachable.",
    "No route to host.",
    "The connection between client and server was terminated.",
    "Task/Process still exists and is running.",
    "Referential integrity / constraint violation.",
    "Record changes would violate the DB schema.",
    "The size of a data chunk or buffer is incorrect.",
    "Operation cannot complete because system is busy with an earlier operation.",
    "Attempt to connect to server aborted.",
    "Function call missing argument value(s)",
    "An object is not of the required type.",
    "Execution violation - function must be called from the task that owns the object.",
    "Detected a recursive function call.",
    "Address pointer is outside of the task's memory map.",
    "The XML tags do not balance.",
    "Requested operation would block if performed at this time.",
    "Unspecified I/O error.",
    "Failed to load a module binary.",
    "A required handle is invalid.",
    "Unspecified security violation.",
    "A required value was not within expected constraints.",
    "The required service is not available.",
    "The object must be activated with the Activate action.",
    "A lock is required before accessing this functionality.",
    "Object or resource has already been locked.",
    "No media is inserted in the device.",
    "The requested smart card reader is in use.",
    "Failed to establish an SSL connection with the proxy server.",
    "A valid HTTP response was not received from the server.",
    "The reference is invalid.",
    "An exception was caught.",
    "Cannot execute a thread that is already running.",
    "Failure reported from OpenGL.",
    "Operation permitted from the main thread only.",
    "Requested to use a registered sub-class (not an error).",
    "The expected type was not provided.",
    "Thread objects must be locked prior to activation.",
    "A message queue operation has failed.",
    "A call to SetVolume() failed.",
    "Unspecified failure during decompression of a data stream.",
    "Unspecified failure during compression of a data stream.",
    "The operation expected a folder path.",
    "This operation would violate the object's immutable status.",
    "A call to ReadFileToBuffer() failed.",
    "This feature is no longer available (obsolete).",
    "Failed to create a new resource.",
    "It is not possible to perform the requested operation.",
    "Failed to resolve a linked library symbol.",
    "A function call failed.",
    "Attempted to change a value that cannot be redefined.",
    "Attempted to set a numeric field with an incompatible value.",
    "Attempted to set a string field with an incompatible value.",
    "Attempted to set an object field with an incompatible value.",
    "Attempted to set a function field with an incompatible value.",
    "Attempted to set a pointer field with an incompatible value.",
    "Attempted to set an array field with an incompatible value.",
    "Attempted to set a lookup field with an incompatible value.",
    "The type of a value is invalid.",
    "A compression stream operation has failed.",
    "Task or process execution has failed.",
    "The compression data is invalid or corrupted.",
    "A sanity check has failed.",
    "Client is not authorised to perform this operation.",
    "The specified property is not recognised.",
];

/// Primary (first-listed) name of every code below [`ERR::END`], indexed by the code.
pub(super) const NAMES: [&str; 196] = [
    "Okay",
    "False",
    "LimitedSuccess",
    "Cancelled",
    "NothingDone",
    "Continue",
    "Skip",
    "Retry",
    "DirEmpty",
    "Terminate",
    "NoMemory",
    "NoPointer",
    "InUse",
    "Failed",
    "File",
    "InvalidData",
    "Search",
    "InitModule",
    "FileNotFound",
    "WrongVersion",
    "Args",
    "NoData",
    "Read",
    "Write",
    "LockFailed",
    "ExamineFailed",
    "LostClass",
    "NoAction",
    "NoSupport",
    "Memory",
    "Timeout",
    "NoStats",
    "LowCapacity",
    "Init",
    "NoPermission",
    "SystemCorrupt",
    "NeedOwner",
    "OwnerNeedsBitmap",
    "CoreVersion",
    "NeedWidthHeight",
    "ModuleValidation",
    "ProcessCreation",
    "MissingClassName",
    "OutOfRange",
    "ObtainMethod",
    "ArrayFull",
    "Query",
    "LostOwner",
    "DoNotExpunge",
    "MemoryCorrupt",
    "FieldSearch",
    "InvalidPath",
    "SetField",
    "MarkedForDeletion",
    "IllegalMethodID",
    "IllegalActionID",
    "ModuleOpenFailed",
    "IllegalActionAttempt",
    "EntryMissingHeader",
    "ModuleMissingInit",
    "ModuleInitFailed",
    "MemoryDoesNotExist",
    "DeadLock",
    "SystemLocked",
    "ModuleMissingName",
    "AddClass",
    "Activate",
    "DoubleInit",
    "UndefinedField",
    "MissingClass",
    "FileReadFlag",
    "FileWriteFlag",
    "Draw",
    "NoMethods",
    "NoMatchingObject",
    "AccessMemory",
    "MissingPath",
    "ResourceNotLocked",
    "NoSearchResult",
    "StatementUnsatisfied",
    "ObjectCorrupt",
    "OwnerPassThrough",
    "UnsupportedOwner",
    "ExclusiveDenied",
    "AllocMemory",
    "NewObject",
    "GetField",
    "NoFieldAccess",
    "VirtualVolume",
    "InvalidDimension",
    "FieldTypeMismatch",
    "UnrecognisedFieldType",
    "BufferOverflow",
    "UnsupportedField",
    "Mismatch",
    "OutOfBounds",
    "Seek",
    "ReallocMemory",
    "Loop",
    "FileExists",
    "ResolvePath",
    "CreateObject",
    "MemoryInfo",
    "NotInitialised",
    "ResourceExists",
    "Refresh",
    "ListChildren",
    "SystemCall",
    "SmallMask",
    "EmptyString",
    "ObjectExists",
    "ExpectedFile",
    "Resize",
    "Redimension",
    "SemaphoreOperation",
    "FieldValidation",
    "CreateFile",
    "DeleteFile",
    "OpenFile",
    "ReadOnly",
    "DoesNotExist",
    "IdenticalPaths",
    "Exists",
    "SanityFailure",
    "OutOfSpace",
    "GetSurfaceInfo",
    "Finished",
    "Syntax",
    "InvalidState",
    "HostNotFound",
    "InvalidURI",
    "ConnectionRefused",
    "NetworkUnreachable",
    "HostUnreachable",
    "Disconnected",
    "TaskStillExists",
    "IntegrityViolation",
    "SchemaViolation",
    "DataSize",
    "Busy",
    "ConnectionAborted",
    "NullArgs",
    "InvalidObject",
    "ExecViolation",
    "Recursion",
    "IllegalAddress",
    "UnbalancedXML",
    "WouldBlock",
    "InputOutput",
    "LoadModule",
    "InvalidHandle",
    "Security",
    "InvalidValue",
    "ServiceUnavailable",
    "Deactivated",
    "LockRequired",
    "AlreadyLocked",
    "NoMediaInserted",
    "CardReaderUnavailable",
    "ProxySSLTunnel",
    "InvalidHTTPResponse",
    "InvalidReference",
    "Exception",
    "ThreadAlreadyActive",
    "OpenGL",
    "OutsideMainThread",
    "UseSubClass",
    "WrongType",
    "ThreadNotLocked",
    "MessageOperation",
    "SetVolume",
    "Decompression",
    "Compression",
    "ExpectedFolder",
    "Immutable",
    "ReadFileToBuffer",
    "Obsolete",
    "CreateResource",
    "NotPossible",
    "ResolveSymbol",
    "Function",
    "AlreadyDefined",
    "SetValueNotNumeric",
    "SetValueNotString",
    "SetValueNotObject",
    "SetValueNotFunction",
    "SetValueNotPointer",
    "SetValueNotArray",
    "SetValueNotLookup",
    "InvalidType",
    "CompressionStreamError",
    "TaskExecutionFailed",
    "InvalidCompression",
    "SanityCheckFailed",
    "NotAuthorised",
    "UnknownProperty",
];

/// Every name (aliases included) with its code, for lookups by name.
pub(super) const ALL_NAMES: &[(&str, i32)] = &[
    ("Okay", 0),
    ("True", 0),
    ("False", 1),
    ("LimitedSuccess", 2),
    ("Cancelled", 3),
    ("NothingDone", 4),
    ("Continue", 5),
    ("Skip", 6),
    ("Retry", 7),
    ("DirEmpty", 8),
    ("Terminate", 9),
    ("ExceptionThreshold", 9),
    ("NoMemory", 10),
    ("NoPointer", 11),
    ("InUse", 12),
    ("Failed", 13),
    ("File", 14),
    ("InvalidData", 15),
    ("Search", 16),
    ("NotFound", 16),
    ("InitModule", 17),
    ("FileNotFound", 18),
    ("FileDoesNotExist", 18),
    ("WrongVersion", 19),
    ("Args", 20),
    ("NoData", 21),
    ("Read", 22),
    ("Write", 23),
    ("LockFailed", 24),
    ("Lock", 24),
    ("ExamineFailed", 25),
    ("LostClass", 26),
    ("NoAction", 27),
    ("NoSupport", 28),
    ("Memory", 29),
    ("Timeout", 30),
    ("TimeOut", 30),
    ("NoStats", 31),
    ("LowCapacity", 32),
    ("Init", 33),
    ("NoPermission", 34),
    ("Permissions", 34),
    ("PermissionDenied", 34),
    ("SystemCorrupt", 35),
    ("NeedOwner", 36),
    ("OwnerNeedsBitmap", 37),
    ("CoreVersion", 38),
    ("NeedWidthHeight", 39),
    ("ModuleValidation", 40),
    ("ProcessCreation", 41),
    ("MissingClassName", 42),
    ("OutOfRange", 43),
    ("ObtainMethod", 44),
    ("ArrayFull", 45),
    ("Query", 46),
    ("LostOwner", 47),
    ("DoNotExpunge", 48),
    ("MemoryCorrupt", 49),
    ("FieldSearch", 50),
    ("InvalidPath", 51),
    ("SetField", 52),
    ("MarkedForDeletion", 53),
    ("IllegalMethodID", 54),
    ("IllegalActionID", 55),
    ("ModuleOpenFailed", 56),
    ("IllegalActionAttempt", 57),
    ("EntryMissingHeader", 58),
    ("ModuleMissingInit", 59),
    ("ModuleInitFailed", 60),
    ("MemoryDoesNotExist", 61),
    ("DeadLock", 62),
    ("SystemLocked", 63),
    ("ModuleMissingName", 64),
    ("AddClass", 65),
    ("Activate", 66),
    ("DoubleInit", 67),
    ("UndefinedField", 68),
    ("FieldNotSet", 68),
    ("MissingClass", 69),
    ("FileReadFlag", 70),
    ("FileWriteFlag", 71),
    ("Draw", 72),
    ("NoMethods", 73),
    ("NoMatchingObject", 74),
    ("AccessMemory", 75),
    ("MissingPath", 76),
    ("ResourceNotLocked", 77),
    ("NoSearchResult", 78),
    ("StatementUnsatisfied", 79),
    ("ObjectCorrupt", 80),
    ("OwnerPassThrough", 81),
    ("UnsupportedOwner", 82),
    ("ExclusiveDenied", 83),
    ("AccessObject", 83),
    ("AllocMemory", 84),
    ("NewObject", 85),
    ("GetField", 86),
    ("NoFieldAccess", 87),
    ("VirtualVolume", 88),
    ("InvalidDimension", 89),
    ("FieldTypeMismatch", 90),
    ("UnrecognisedFieldType", 91),
    ("BufferOverflow", 92),
    ("UnsupportedField", 93),
    ("Mismatch", 94),
    ("OutOfBounds", 95),
    ("Seek", 96),
    ("ReallocMemory", 97),
    ("Loop", 98),
    ("FileExists", 99),
    ("ResolvePath", 100),
    ("CreateObject", 101),
    ("MemoryInfo", 102),
    ("NotInitialised", 103),
    ("ResourceExists", 104),
    ("Refresh", 105),
    ("ListChildren", 106),
    ("SystemCall", 107),
    ("SmallMask", 108),
    ("EmptyString", 109),
    ("ObjectExists", 110),
    ("ExpectedFile", 111),
    ("Resize", 112),
    ("Redimension", 113),
    ("SemaphoreOperation", 114),
    ("FieldValidation", 115),
    ("CreateFile", 116),
    ("DeleteFile", 117),
    ("OpenFile", 118),
    ("ReadOnly", 119),
    ("DoesNotExist", 120),
    ("IdenticalPaths", 121),
    ("Exists", 122),
    ("SanityFailure", 123),
    ("OutOfSpace", 124),
    ("GetSurfaceInfo", 125),
    ("Finished", 126),
    ("EndOfFile", 126),
    ("OutOfData", 126),
    ("Syntax", 127),
    ("StringFormat", 127),
    ("InvalidState", 128),
    ("HostNotFound", 129),
    ("InvalidURI", 130),
    ("ConnectionRefused", 131),
    ("NetworkUnreachable", 132),
    ("HostUnreachable", 133),
    ("Disconnected", 134),
    ("TaskStillExists", 135),
    ("IntegrityViolation", 136),
    ("ConstraintViolation", 136),
    ("SchemaViolation", 137),
    ("DataSize", 138),
    ("Busy", 139),
    ("ConnectionAborted", 140),
    ("NullArgs", 141),
    ("InvalidObject", 142),
    ("WrongObjectType", 142),
    ("WrongClass", 142),
    ("ExecViolation", 143),
    ("Recursion", 144),
    ("IllegalAddress", 145),
    ("UnbalancedXML", 146),
    ("WouldBlock", 147),
    ("InputOutput", 148),
    ("LoadModule", 149),
    ("InvalidHandle", 150),
    ("Security", 151),
    ("InvalidValue", 152),
    ("ServiceUnavailable", 153),
    ("Deactivated", 154),
    ("LockRequired", 155),
    ("AlreadyLocked", 156),
    ("Locked", 156),
    ("NoMediaInserted", 157),
    ("CardReaderUnavailable", 158),
    ("ProxySSLTunnel", 159),
    ("InvalidHTTPResponse", 160),
    ("InvalidReference", 161),
    ("Exception", 162),
    ("ThreadAlreadyActive", 163),
    ("OpenGL", 164),
    ("OutsideMainThread", 165),
    ("UseSubClass", 166),
    ("WrongType", 167),
    ("ThreadNotLocked", 168),
    ("MessageOperation", 169),
    ("SetVolume", 170),
    ("Decompression", 171),
    ("Compression", 172),
    ("ExpectedFolder", 173),
    ("Immutable", 174),
    ("ReadFileToBuffer", 175),
    ("Obsolete", 176),
    ("CreateResource", 177),
    ("NotPossible", 178),
    ("ResolveSymbol", 179),
    ("Function", 180),
    ("AlreadyDefined", 181),
    ("SetValueNotNumeric", 182),
    ("SetValueNotString", 183),
    ("SetValueNotObject", 184),
    ("SetValueNotFunction", 185),
    ("SetValueNotPointer", 186),
    ("SetValueNotArray", 187),
    ("SetValueNotLookup", 188),
    ("InvalidType", 189),
    ("CompressionStreamError", 190),
    ("TaskExecutionFailed", 191),
    ("InvalidCompression", 192),
    ("SanityCheckFailed", 193),
    ("NotAuthorised", 194),
    ("UnknownProperty", 195),
    ("END", 196),
    ("Notified", 0x40000000),
];
