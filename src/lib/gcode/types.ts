export interface Vec4 {
  x: number;
  y: number;
  z: number;
  e: number;
}
