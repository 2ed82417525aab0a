/** The errno values the modelled syscalls return (include/uapi/asm-generic/errno*.h), negated as in the kernel. */
export const EPERM = 1;
export const EAGAIN = 11;
export const EEXIST = 17;
export const ENODEV = 19;
export const ESRCH = 3;
export const ENOENT = 2;
export const ENOBUFS = 105;
export const ERANGE = 34;
export const ENOMEM = 12;
export const EACCES = 13;
export const EINVAL = 22;
export const EMSGSIZE = 90;
export const EBADF = 9;
export const EPROTONOSUPPORT = 93;
export const EPROTO = 71;
export const ENOPROTOOPT = 92;
export const EOPNOTSUPP = 95;
export const EHOSTDOWN = 112;
export const ENONET = 64;
export const EDESTADDRREQ = 89;
export const EADDRINUSE = 98;
export const EADDRNOTAVAIL = 99;
export const ENETDOWN = 100;
export const ENETUNREACH = 101;
export const ECONNREFUSED = 111;
export const EHOSTUNREACH = 113;
export const EINTR = 4;
export const EFAULT = 14;
export const EPIPE = 32;
export const ENOTSOCK = 88;
export const EAFNOSUPPORT = 97;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const EISCONN = 106;
export const ENOTCONN = 107;
export const ETIMEDOUT = 110;
export const EALREADY = 114;
export const EINPROGRESS = 115;
export const ENOMSG = 42;
export const EKEYREJECTED = 129;
export const ENOIOCTLCMD = 515;
export const ENXIO = 6;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const ENAMETOOLONG = 36;
export const ENOTEMPTY = 39;
export const EPROTOTYPE = 91;
export const ESOCKTNOSUPPORT = 94;

export const STRERROR: Record<number, string> = {
  [EPERM]: 'Operation not permitted',
  [EAGAIN]: 'Resource temporarily unavailable',
  [EEXIST]: 'File exists',
  [ENOMSG]: 'No message of desired type',
  [ENODEV]: 'No such device',
  [ESRCH]: 'No such process',
  [ENOENT]: 'No such file or directory',
  [ENOBUFS]: 'No buffer space available',
  [ERANGE]: 'Numerical result out of range',
  [ENOMEM]: 'Cannot allocate memory',
  [EACCES]: 'Permission denied',
  [EINVAL]: 'Invalid argument',
  [EMSGSIZE]: 'Message too long',
  [EBADF]: 'Bad file descriptor',
  [EPROTONOSUPPORT]: 'Protocol not supported',
  [EPROTO]: 'Protocol error',
  [ENOPROTOOPT]: 'Protocol not available',
  [EOPNOTSUPP]: 'Operation not supported',
  [EHOSTDOWN]: 'Host is down',
  [ENONET]: 'Machine is not on the network',
  [EDESTADDRREQ]: 'Destination address required',
  [EADDRINUSE]: 'Address already in use',
  [EADDRNOTAVAIL]: 'Cannot assign requested address',
  [ENETDOWN]: 'Network is down',
  [ENETUNREACH]: 'Network is unreachable',
  [ECONNREFUSED]: 'Connection refused',
  [EHOSTUNREACH]: 'No route to host',
  [EINTR]: 'Interrupted system call',
  [EFAULT]: 'Bad address',
  [EPIPE]: 'Broken pipe',
  [ENOTSOCK]: 'Socket operation on non-socket',
  [EAFNOSUPPORT]: 'Address family not supported by protocol',
  [ECONNABORTED]: 'Software caused connection abort',
  [ECONNRESET]: 'Connection reset by peer',
  [EISCONN]: 'Transport endpoint is already connected',
  [ENOTCONN]: 'Transport endpoint is not connected',
  [ETIMEDOUT]: 'Connection timed out',
  [EALREADY]: 'Operation already in progress',
  [EINPROGRESS]: 'Operation now in progress',
  [EKEYREJECTED]: 'Key was rejected by service',
  [ENXIO]: 'No such device or address',
  [ENAMETOOLONG]: 'File name too long',
  [ENOTEMPTY]: 'Directory not empty',
  [EPROTOTYPE]: 'Protocol wrong type for socket',
  [ESOCKTNOSUPPORT]: 'Socket type not supported',
  [ENOTDIR]: 'Not a directory',
  [EISDIR]: 'Is a directory',
};
export const ESPIPE = 29;
