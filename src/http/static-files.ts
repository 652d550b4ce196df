import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { projectRoot } from '../paths';

/** The stylesheet, images and scripts, served as files under /static (no build step). */
export function staticFiles(): RequestHandler {
  return express.static(path.join(projectRoot, 'public'), { index: false, maxAge: '10m' });
}
